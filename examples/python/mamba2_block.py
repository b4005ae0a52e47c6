#!/usr/bin/env python3
"""Calls a compiled Mamba-2 block from Python and checks it.

    build/bin/interact-compile examples/mamba2_block.mlir -o out/libmamba2_block.so
    PYTHONPATH=python python3 examples/python/mamba2_block.py out/libmamba2_block.so

Loads the library with interact.load, prints its functions and their
signatures, calls mamba2_block with NumPy arrays, and again with PyTorch
tensors where PyTorch is installed, and compares both with a float64 NumPy
evaluation of the block written here from its definition
(examples/mamba2_block.mlir). Prints each output's max relative error,
|got - ref| / (|ref| + rms(ref)), and a last line "mamba2_block: ok", or
"FAIL" and exit status 1 when an error exceeds 1e-4 (float32's tolerance).
"""

import sys

import numpy as np

import interact

TOLERANCE = 1e-4
B, T, D, H, P, N = 2, 64, 256, 4, 64, 64  # batch, tokens, width, heads, ...


def softplus(v):
    return np.logaddexp(0.0, v)


def reference(u, w_x, w_z, w_b, w_c, w_dt, dt_bias, a_log, d_skip, w_out):
    """The block in float64: input projections, dt = softplus(u W_dt + bias),
    log-decays a = -exp(A_log) dt, the selective scan of x dt with one group
    of B and C, y + D x gated by silu(z), the output projection. Returns the
    output (b x t x 256) and the scan's final state (b x h x p x n)."""
    u, w_x, w_z, w_b, w_c, w_dt, dt_bias, a_log, d_skip, w_out = (
        np.asarray(v, np.float64) for v in
        (u, w_x, w_z, w_b, w_c, w_dt, dt_bias, a_log, d_skip, w_out))
    x = (u @ w_x).reshape(B, T, H, P)
    z = (u @ w_z).reshape(B, T, H, P)
    b_in = u @ w_b                                   # b x t x n (one group)
    c_out = u @ w_c
    dt = softplus(u @ w_dt + dt_bias)                # b x t x h
    a = -np.exp(a_log) * dt                          # log-space decay
    state = np.zeros((B, H, P, N))
    y = np.zeros((B, T, H, P))
    for t in range(T):
        # S_t = exp(a_t) S_{t-1} + (x_t dt_t) B_t^T,  y_t = S_t C_t
        state = (np.exp(a[:, t])[:, :, None, None] * state +
                 (x[:, t] * dt[:, t, :, None])[:, :, :, None] *
                 b_in[:, t, None, None, :])
        y[:, t] = np.einsum("bhpn,bn->bhp", state, c_out[:, t])
    gated = (y + d_skip[:, None] * x) * (z / (1 + np.exp(-z)))
    return gated.reshape(B, T, H * P) @ w_out, state


def inputs(rng):
    """Random weights at the scales of a trained layer, and one input."""
    def weight(*shape):
        return (rng.standard_normal(shape) / np.sqrt(shape[0])).astype(np.float32)
    dt0 = rng.uniform(1e-3, 1e-1, H)                 # initial step sizes
    return [rng.standard_normal((B, T, D)).astype(np.float32),
            weight(D, H * P), weight(D, H * P), weight(D, N), weight(D, N),
            weight(D, H), np.log(np.expm1(dt0)).astype(np.float32),
            np.log(rng.uniform(1, 16, H)).astype(np.float32),
            rng.uniform(0.5, 1.5, H).astype(np.float32), weight(H * P, D)]


def check(label, outputs, expected, names):
    ok = True
    for name, got, ref in zip(names, outputs, expected):
        got = np.asarray(got, np.float64)
        if got.shape != ref.shape:
            print(f"{label}: {name}: shape {got.shape}, expected {ref.shape}: FAIL")
            ok = False
            continue
        err = np.max(np.abs(got - ref) / (np.abs(ref) + np.sqrt(np.mean(ref ** 2))))
        verdict = "ok" if err <= TOLERANCE else "FAIL"
        print(f"{label}: {name} {got.shape}: max relative error {err:.2e}: {verdict}")
        ok &= err <= TOLERANCE
    return ok


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    lib = interact.load(sys.argv[1])
    print(lib)
    args = inputs(np.random.default_rng(0))
    expected = reference(*args)
    names = [r.name for r in lib.mamba2_block.signature.results]

    y, state = lib.mamba2_block(*args)                # NumPy in, NumPy out
    ok = check("numpy", (y, state), expected, names)

    try:
        import torch
    except ImportError:
        print("torch: not installed, skipped")
    else:
        tensors = [torch.from_numpy(a) for a in args]
        y, state = lib.mamba2_block(*tensors)         # torch in, torch out
        assert isinstance(y, torch.Tensor) and isinstance(state, torch.Tensor)
        ok &= check("torch", (y.numpy(), state.numpy()), expected, names)

    print(f"mamba2_block: {'ok' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
