#!/usr/bin/env python3
"""Checks interact-run against NumPy float64 implementations of DESIGN.md.

usage: numpy_reference.py INTERACT_RUN MLIR_FILE WORK_DIR [--target=NAME]

Each case makes inputs with NumPy, writes them as .npy, runs the function
through interact-run (optimized lowering, and again with --check), reads the
outputs back (checking their dtype and shape, as NumPy sees them), and
compares them with a direct float64 evaluation of the definition. The
hand-worked case compares with numbers worked out on paper, exactly.
"""

import os
import subprocess
import sys

import numpy as np

# interact writes bfloat16 as two-byte void; view its bits as the top half of
# a float32 to read it.
BF16 = np.dtype("V2")


def to_bf16(values):
    bits = np.asarray(values, np.float32).view(np.uint32)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype(np.uint16).view(BF16)


def from_bf16(array):
    return (array.view(np.uint16).astype(np.uint32) << 16).view(np.float32)


def as_float64(array):
    return from_bf16(array).astype(np.float64) if array.dtype == BF16 \
        else array.astype(np.float64)


def heads(tensor, count):
    """Repeats each head of b x t x h x d so that there are `count`."""
    return np.repeat(tensor, count // tensor.shape[2], axis=2)


def scan_reference(x, a, B, C, s0=None):
    b, t, h, p = x.shape
    n = B.shape[3]
    B, C = heads(B, h), heads(C, h)
    S = np.zeros((b, h, p, n)) if s0 is None else s0.copy()
    y = np.zeros((b, t, h, p))
    for i in range(t):
        decay = np.exp(a[:, i])
        decay = decay[:, :, None, None] if a.ndim == 3 else decay[:, :, None, :]
        S = decay * S + x[:, i, :, :, None] * B[:, i, :, None, :]
        y[:, i] = np.einsum("bhpn,bhn->bhp", S, C[:, i])
    return y, S


def attention_reference(q, k, v, kernel, mask, scale, a=None):
    t, s = q.shape[1], k.shape[1]
    H = max(q.shape[2], k.shape[2], v.shape[2])
    q, k, v = heads(q, H), heads(k, H), heads(v, H)
    scores = scale * np.einsum("bihn,bjhn->bhij", q, k)
    log_mask = np.zeros((q.shape[0], H, t, s))
    if mask != "none":
        upper = np.triu(np.ones((t, s), bool), 1)
        log_mask[:, :, upper] = -np.inf
    if mask == "semiseparable":
        for i in range(t):
            for j in range(i + 1):
                log_mask[:, :, i, j] = a[:, j + 1:i + 1, :].sum(axis=1)
    if kernel == "identity":
        weights = scores * np.exp(log_mask)
    else:
        logits = scores + log_mask
        logits -= logits.max(axis=-1, keepdims=True)
        weights = np.exp(logits)
        weights /= weights.sum(axis=-1, keepdims=True)
    return np.einsum("bhij,bjhp->bihp", weights, v)


def decays(rng, shape):
    return -np.log1p(np.exp(rng.standard_normal(shape) - 4)) * \
        rng.uniform(0.5, 3, shape)


def run(tool, mlir, function, inputs, out_dir, check, target_flags):
    paths = []
    for i, array in enumerate(inputs):
        path = os.path.join(out_dir, f"{function}.in{i}.npy")
        np.save(path, array)
        paths.append(path)
    outputs = [os.path.join(out_dir, f"{function}.out{i}.npy") for i in range(2)]
    n_results = 2 if not function.startswith("attention") and \
        function != "exact_attention" else 1
    cmd = [tool, mlir, *target_flags, f"--function={function}"]
    cmd += [f"--input=@{p}" for p in paths]
    cmd += [f"--output=@{p}" for p in outputs[:n_results]]
    if check:
        cmd.append("--check")
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{result.stdout}{result.stderr}")
    return [np.load(p) for p in outputs[:n_results]]


def main():
    tool, mlir, out_dir = sys.argv[1:4]
    target_flags = [a for a in sys.argv[4:] if a.startswith("--target=")]
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(0)
    f32 = lambda *shape: rng.standard_normal(shape).astype(np.float32)
    cases = []

    def case(name, function, inputs, expected, dtypes, tol, check=True):
        cases.append((name, function, inputs, expected, dtypes, tol, check))

    for t in (1, 7, 40):
        x, a, B, C, s0 = f32(2, t, 4, 8), decays(rng, (2, t, 4)).astype(np.float32), \
            f32(2, t, 2, 16), f32(2, t, 2, 16), f32(2, 4, 8, 16)
        args = [as_float64(v) for v in (x, a, B, C, s0)]
        case(f"scan t={t}", "scan", [x, a, B, C, s0], scan_reference(*args),
             [np.float32] * 2, 1e-4)
        ad = decays(rng, (2, t, 4, 16)).astype(np.float32)
        case(f"chunked diagonal t={t}", "chunked_diagonal", [x, ad, B, C, s0],
             scan_reference(x, ad, B, C, s0), [np.float32] * 2, 1e-4)
    x, ad, B = f32(1, 33, 4, 8), decays(rng, (1, 33, 4, 16)).astype(np.float32), f32(1, 33, 1, 16)
    case("scan diagonal", "scan_diagonal", [x, ad, B, B],
         scan_reference(x, ad, B, B), [np.float32] * 2, 1e-4)
    x16, B16, a = f32(2, 21, 2, 8).astype(np.float16), f32(2, 21, 1, 16).astype(np.float16), \
        decays(rng, (2, 21, 2)).astype(np.float32)
    case("chunked f16", "chunked_f16", [x16, a, B16, B16],
         scan_reference(*[as_float64(v) for v in (x16, a, B16, B16)]),
         [np.float16, np.float32], 1e-2)

    q, k, v, a = f32(2, 9, 2, 16), f32(2, 9, 2, 16), f32(2, 9, 4, 8), \
        decays(rng, (2, 9, 4)).astype(np.float32)
    case("identity semiseparable attention", "attention_identity_semiseparable",
         [q, k, v, a], [attention_reference(q, k, v, "identity", "semiseparable", 0.5, a)],
         [np.float32], 1e-4)
    q, k, v = f32(1, 12, 4, 16), f32(1, 12, 2, 16), f32(1, 12, 2, 8)
    case("softmax causal attention", "attention_softmax_causal", [q, k, v],
         [attention_reference(q, k, v, "softmax", "causal", 0.25)], [np.float32], 1e-4)
    q, k, v = f32(2, 5, 2, 8), f32(2, 11, 2, 8), f32(2, 11, 2, 4)
    case("softmax attention, 5 queries over 11 keys", "attention_softmax_none",
         [q, k, v], [attention_reference(q, k, v, "softmax", "none", 1.0)],
         [np.float32], 1e-4)
    qb, kb, vb = to_bf16(f32(1, 10, 2, 8)), to_bf16(f32(1, 10, 2, 8)), to_bf16(f32(1, 10, 2, 4))
    a = decays(rng, (1, 10, 2)).astype(np.float32)
    case("bf16 softmax semiseparable attention", "attention_softmax_semiseparable",
         [qb, kb, vb, a],
         [attention_reference(*[as_float64(t) for t in (qb, kb, vb)], "softmax",
                              "semiseparable", 0.7, as_float64(a))],
         [BF16], 3e-2)

    # Worked by hand (docs/Rationale.md's recurrence, zero log-decays):
    #   S1 = [1,-1] + 1*[1,0] = [2,-1]   y1 = [2,-1].[1,1] = 1
    #   S2 = [2,-1] + 2*[0,1] = [2, 1]   y2 = [2, 1].[2,0] = 4
    #   S3 = [2, 1] + 3*[1,1] = [5, 4]   y3 = [5, 4].[0,3] = 12
    x = np.array([1, 2, 3], np.float32).reshape(1, 3, 1, 1)
    a = np.zeros((1, 3, 1), np.float32)
    B = np.array([[1, 0], [0, 1], [1, 1]], np.float32).reshape(1, 3, 1, 2)
    C = np.array([[1, 1], [2, 0], [0, 3]], np.float32).reshape(1, 3, 1, 2)
    s0 = np.array([1, -1], np.float32).reshape(1, 1, 1, 2)
    y_hand = np.array([1, 4, 12], np.float32).reshape(1, 3, 1, 1)
    s_hand = np.array([5, 4], np.float32).reshape(1, 1, 1, 2)
    for function in ("exact_scan", "exact_chunked"):
        case(f"hand-worked {function}", function, [x, a, B, C, s0],
             [y_hand, s_hand], [np.float32] * 2, 0)
    # Without the initial state: y = 1, 2, 15 (S3 = [4, 5]).
    case("hand-worked exact_attention", "exact_attention",
         [C.astype(np.float64), B.astype(np.float64), x.astype(np.float64),
          a.astype(np.float64)],
         [np.array([1, 2, 15], np.float64).reshape(1, 3, 1, 1)], [np.float64], 0)

    agree = 0
    for name, function, inputs, expected, dtypes, tol, check in cases:
        try:
            outputs = run(tool, mlir, function, inputs, out_dir, check,
                          target_flags)
        except RuntimeError as error:
            print(f"{name}: FAIL: {error}")
            continue
        problems = []
        for i, (out, ref, dtype) in enumerate(zip(outputs, expected, dtypes)):
            if out.dtype != np.dtype(dtype) or out.shape != ref.shape:
                problems.append(f"output {i} is {out.dtype}{out.shape}, "
                                f"expected {np.dtype(dtype)}{ref.shape}")
                continue
            got = as_float64(out)
            if tol == 0:
                if not np.array_equal(got, ref):
                    problems.append(f"output {i} = {got.ravel()}, expected exactly {ref.ravel()}")
                continue
            scale = np.abs(ref) + np.sqrt(np.mean(ref ** 2))
            err = np.max(np.abs(got - ref) / scale) if ref.size else 0.0
            if not err <= tol:
                problems.append(f"output {i} max relative error {err:.3g} > {tol}")
        print(f"{name}: {'ok' if not problems else 'FAIL: ' + '; '.join(problems)}")
        agree += not problems
    print(f"numpy reference: {agree} of {len(cases)} cases agree")
    return 0 if agree == len(cases) else 1


if __name__ == "__main__":
    sys.exit(main())
