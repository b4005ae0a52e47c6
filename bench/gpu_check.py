#!/usr/bin/env python3
"""The GPU check: interact's GPU libraries against float64 references, then
a benchmark against PyTorch.

usage: gpu_check.py [--device cuda|cpu] [--lib LIBRARY | --lib-dir DIR]
                    [--only SUBSTRING] [--no-bench] [--reps N]
                    [--bench-shape B,T]

The library is compiled from bench/gpu/cases.mlir (scripts/gpu-build.sh):
libcases_sm90.so or libcases_sm80.so for --device cuda (chosen by the GPU's
compute capability), libcases_cpu.so (x86-64-v3) for --device cpu, which
runs the very same cases on the CPU so that the harness itself (inputs,
references, tolerances, the loader) is proven on a machine without a GPU.

Differential cases. Every function of cases.mlir is called through
python/interact at several shapes (dynamic batch b, odd lengths t = 1, 7,
130, 257, empty ones) and compared with a float64 reference computed on the
host from the same (rounded) inputs: the scan's recurrence step by step;
attention directly, scores, mask and softmax, the semiseparable mask from
segment sums taken directly (never differences of cumulative sums). The
benchmark shapes are checked too: the Mamba-2 scan against a float64
chunked SSD (itself checked here against the recurrence), causal attention
on a sample of query rows. Where the op promises that masked data never
matter, they hold garbage: keys, values and decays after a cut are NaN
under causal and semiseparable masks (rows before the cut are compared),
the first log-decay of a scan without initial state overflows (exp(a_0) =
inf times a zero state is 0), a semiseparable mask's a_0 (which no M_ij
reads) is NaN, and some scan decays are -inf (exact state resets).

Error: max |got - ref| / max |ref| over the compared elements (relative
to the largest reference value, so one small entry does not dominate; the
absolute error where the reference is all zero). Tolerances, by the
function's input dtype (decays and states in f32 do not loosen or tighten
it): f32 1e-4 (no TF32: an f32 function computes in f32); f16 1e-2 (f16's
epsilon is 1e-3; products of rounded probabilities and long sums add a few
of them); bf16 4e-2 (bf16's epsilon is 8e-3). The measured errors are
printed, so a tolerance can be tightened to what the kernels reach.

Benchmark (--device cuda only): CUDA events around each call, the
contenders interleaved in every repetition, the median of --reps: the
interact scan against Mamba-2's ssd_minimal_discrete in PyTorch eager
(einsums, chunk 64, bf16 with f32 decays) and the same under torch.compile
(skipped if it fails); interact causal attention against
torch.nn.functional.scaled_dot_product_attention(is_causal=True). TFLOP/s
counts the chunked SSD's products for every scan contender (2t(Qn + Qp +
2np) per head, Q = 64) and 2 b h t^2 d for causal attention (half of
the 4 b h t^2 d of full attention).

Exit status: 0 when every case passes, 1 when one fails, 2 when the
library cannot be loaded. Needs Python 3, NumPy and PyTorch; for --device
cuda a CUDA build of PyTorch.
"""

import argparse
import math
import os
import statistics
import sys
import time
import traceback
import zlib

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if os.path.isdir(os.path.join(ROOT, "python", "interact")):
    sys.path.insert(0, os.path.join(ROOT, "python"))
import interact  # noqa: E402

F64 = torch.float64
DTYPES = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16,
          "f64": torch.float64}
TOLERANCE = {"f32": 1e-4, "f16": 1e-2, "bf16": 4e-2, "f64": 1e-10}
SSD_CHUNK = 64


#===------------------------------------------------------------------------===#
# float64 references (host)
#===------------------------------------------------------------------------===#

def heads(tensor, count):
    """Repeats each head of b x t x h x d so that there are `count`: head i
    reads head i // (count / h), as interact's grouped heads."""
    return tensor.repeat_interleave(count // tensor.shape[2], dim=2)


def scan_reference(x, a, B, C, s0=None):
    """The recurrence, step by step: S_t = exp(a_t) S_{t-1} + x_t B_t^T,
    y_t = S_t C_t, from s0 (zero when None: then a_0 multiplies nothing,
    even where exp(a_0) overflows)."""
    b, t, h, p = x.shape
    n = B.shape[3]
    B, C = heads(B, h), heads(C, h)
    S = None if s0 is None else s0.clone()
    y = torch.zeros(b, t, h, p, dtype=F64)
    for i in range(t):
        update = x[:, i, :, :, None] * B[:, i, :, None, :]
        if S is None:
            S = update
        else:
            decay = torch.exp(a[:, i])
            decay = decay[:, :, None, None] if a.dim() == 3 else \
                decay[:, :, None, :]
            S = decay * S + update
        y[:, i] = torch.einsum("bhpn,bhn->bhp", S, C[:, i])
    if S is None:
        S = torch.zeros(b, h, p, n, dtype=F64)
    return y, S


def segsum(a):
    """out[..., i, j] = a[..., j+1] + ... + a[..., i] for j <= i (0 on the
    diagonal), -inf above it: sums taken directly, as Mamba-2's segsum, so
    that -inf decays give -inf, never NaN."""
    t = a.shape[-1]
    x = a[..., None].expand(*a.shape, t)
    strict = torch.tril(torch.ones(t, t, dtype=torch.bool, device=a.device),
                        -1)
    x = x.masked_fill(~strict, 0)
    sums = torch.cumsum(x, dim=-2)
    lower = torch.tril(torch.ones(t, t, dtype=torch.bool, device=a.device))
    return sums.masked_fill(~lower, -math.inf)


def attention_reference(q, k, v, kernel, mask, scale, decay=None, rows=None):
    """Masked attention by its definition; `rows` (query indices) limits
    the queries computed (causal and none masks)."""
    t, s = q.shape[1], k.shape[1]
    H = max(q.shape[2], k.shape[2], v.shape[2])
    q, k, v = heads(q, H), heads(k, H), heads(v, H)
    index = torch.arange(t) if rows is None else torch.as_tensor(rows)
    if rows is not None:
        q = q[:, index]
    scores = scale * torch.einsum("bihn,bjhn->bhij", q, k)
    if mask == "none":
        log_mask = torch.zeros(len(index), s, dtype=F64)
    elif mask == "causal":
        log_mask = torch.zeros(len(index), s, dtype=F64).masked_fill(
            torch.arange(s)[None, :] > index[:, None], -math.inf)
    else:
        log_mask = segsum(decay.permute(0, 2, 1))[:, :, index]
    if kernel == "identity":
        weights = scores * torch.exp(log_mask)
    elif s == 0:
        weights = scores  # no keys: every row is 0
    else:
        weights = torch.softmax(scores + log_mask, dim=-1)
    return torch.einsum("bhij,bjhp->bihp", weights, v)


def ssd_minimal_discrete(X, A, B, C, block_len, initial_states=None):
    """Mamba-2's minimal SSD (state-spaces/mamba, ssd_minimal.py) in
    einsums: X b x t x h x p, A b x t x h log-decays, B and C b x t x h x n
    (groups expanded), t a multiple of block_len. Returns (Y, final state
    b x h x p x n). The decay factors are made in A's dtype and cast to X's
    (bf16 for the benchmark, float64 for the reference)."""
    b, t, h, p = X.shape
    c, l = t // block_len, block_len
    X, B, C = (z.reshape(b, c, l, h, z.shape[-1]) for z in (X, B, C))
    A = A.reshape(b, c, l, h).permute(0, 3, 1, 2)  # b h c l
    A_cumsum = torch.cumsum(A, dim=-1)
    # 1. The output of each chunk from its own inputs (the diagonal blocks).
    L = torch.exp(segsum(A)).to(X.dtype)
    Y_diag = torch.einsum("bclhn,bcshn,bhcls,bcshp->bclhp", C, B, L, X)
    # 2. The state at the end of each chunk from its inputs.
    decay_states = torch.exp(A_cumsum[:, :, :, -1:] - A_cumsum).to(X.dtype)
    states = torch.einsum("bclhn,bhcl,bclhp->bchpn", B, decay_states, X)
    # 3. The states between chunks, by the recurrence over chunks.
    if initial_states is None:
        initial_states = torch.zeros_like(states[:, :1])
    states = torch.cat([initial_states.to(states.dtype), states], dim=1)
    decay_chunk = torch.exp(segsum(torch.nn.functional.pad(
        A_cumsum[:, :, :, -1], (1, 0)))).to(X.dtype)
    new_states = torch.einsum("bhzc,bchpn->bzhpn", decay_chunk, states)
    states, final_state = new_states[:, :-1], new_states[:, -1]
    # 4. Each chunk's output from the state before it.
    state_decay_out = torch.exp(A_cumsum).to(X.dtype)
    Y_off = torch.einsum("bclhn,bchpn,bhcl->bclhp", C, states,
                         state_decay_out)
    return (Y_diag + Y_off).reshape(b, t, h, p), final_state


def ssd_reference(x, a, B, C, block_len=SSD_CHUNK):
    """The scan (scalar decays, no initial state) by the chunked SSD in
    float64, t padded to a multiple of the chunk with steps that change
    nothing (x = 0, a = 0)."""
    b, t, h, _ = x.shape
    pad = -t % block_len
    if pad:
        x, B, C = (torch.nn.functional.pad(z, (0, 0, 0, 0, 0, pad))
                   for z in (x, B, C))
        a = torch.nn.functional.pad(a, (0, 0, 0, pad))
    y, state = ssd_minimal_discrete(x, a, heads(B, h), heads(C, h), block_len)
    return y[:, :t], state


#===------------------------------------------------------------------------===#
# Cases
#===------------------------------------------------------------------------===#

class Case:
    """One function of cases.mlir: what it computes and the shapes it is
    called at. `shapes` holds (b, t) or, for attention with its own key
    length, (b, t, s)."""

    def __init__(self, name, kind, dtype, shapes, **params):
        self.name, self.kind, self.dtype = name, kind, dtype
        self.shapes, self.params = shapes, params


SCAN_SHAPES = [(1, 1), (2, 7), (3, 130), (2, 257)]
ATTN_SHAPES = [(1, 1), (2, 7), (3, 130), (2, 257)]
CROSS_SHAPES = [(1, 1, 1), (2, 7, 11), (3, 130, 67), (2, 257, 300)]


def cases():
    scan = lambda name, dtype, h, p, g, n, **kw: Case(  # noqa: E731
        name, "scan", dtype, kw.pop("shapes", SCAN_SHAPES), h=h, p=p, g=g,
        n=n, **kw)
    attn = lambda name, dtype, kernel, mask, hq, hk, n, p, scale, **kw: Case(  # noqa: E731,E501
        name, "attention", dtype,
        kw.pop("shapes", CROSS_SHAPES if mask == "none" else ATTN_SHAPES),
        kernel=kernel, mask=mask, hq=hq, hk=hk, n=n, p=p, scale=scale, **kw)
    s32 = 0.176776695
    return [
        scan("scan_f32", "f32", 8, 64, 2, 16, init=True,
             shapes=SCAN_SHAPES + [(2, 0), (0, 5)]),
        scan("scan_f32_diagonal", "f32", 4, 32, 1, 16, diagonal=True),
        scan("scan_f32_odd", "f32", 3, 7, 1, 5, init=True),
        scan("scan_f16", "f16", 4, 32, 2, 32, init=True),
        scan("scan_bf16", "bf16", 8, 64, 1, 32, init=True),
        scan("scan_bf16_diagonal", "bf16", 4, 24, 2, 16, diagonal=True),
        attn("attn_softmax_none_f32", "f32", "softmax", "none", 8, 2, 64, 64,
             0.125, shapes=CROSS_SHAPES + [(2, 5, 0)]),
        attn("attn_softmax_causal_f32", "f32", "softmax", "causal", 8, 2, 64,
             64, 0.125, shapes=ATTN_SHAPES + [(2, 0)]),
        attn("attn_softmax_causal_f16", "f16", "softmax", "causal", 8, 2, 32,
             32, s32),
        attn("attn_softmax_causal_bf16", "bf16", "softmax", "causal", 8, 2,
             64, 64, 0.125),
        attn("attn_softmax_none_bf16", "bf16", "softmax", "none", 4, 4, 64,
             64, 0.125),
        attn("attn_softmax_causal_odd", "f32", "softmax", "causal", 3, 3, 24,
             20, 0.2),
        attn("attn_softmax_semiseparable_f32", "f32", "softmax",
             "semiseparable", 8, 2, 32, 32, s32),
        attn("attn_softmax_semiseparable_bf16", "bf16", "softmax",
             "semiseparable", 4, 4, 64, 64, 0.125),
        attn("attn_identity_none_f32", "f32", "identity", "none", 8, 2, 32,
             32, s32),
        attn("attn_identity_causal_f16", "f16", "identity", "causal", 8, 2,
             32, 32, s32),
        attn("attn_identity_semiseparable_f32", "f32", "identity",
             "semiseparable", 1, 1, 16, 24, 1.0, hv=8),
        attn("attn_identity_semiseparable_bf16", "bf16", "identity",
             "semiseparable", 8, 2, 32, 32, s32),
        scan("bench_mamba2_scan", "bf16", 32, 64, 1, 128,
             shapes=[(1, 7), (2, 130)]),
        attn("bench_causal_attention", "bf16", "softmax", "causal", 32, 32,
             64, 64, 0.125, shapes=[(1, 7), (2, 130)]),
    ]


def decays(gen, shape):
    """Log-decays in (-inf, 0) as Mamba-2 makes them: -softplus(z - 4)
    times dt in [0.5, 3]."""
    z = torch.randn(shape, generator=gen, dtype=F64)
    dt = 0.5 + 2.5 * torch.rand(shape, generator=gen, dtype=F64)
    return -torch.nn.functional.softplus(z - 4) * dt


def rounded(values, dtype):
    """(the values rounded to `dtype` as the library gets them, the same
    as float64 for the reference)."""
    low = values.to(DTYPES[dtype])
    return low, low.to(F64)


def scan_inputs(case, gen, b, t):
    """(arguments, float64 arguments for the reference, a note of the
    garbage planted)."""
    P = case.params
    h, p, g, n = P["h"], P["p"], P["g"], P["n"]
    a64 = decays(gen, (b, t, h, n) if P.get("diagonal") else (b, t, h))
    notes = []
    if t >= 100:  # exact resets: the state before them must vanish
        a64[:, t // 3] = -math.inf
        notes.append(f"a[:, {t // 3}] = -inf")
    x, x64 = rounded(torch.randn(b, t, h, p, generator=gen, dtype=F64),
                     case.dtype)
    B, B64 = rounded(torch.randn(b, t, g, n, generator=gen, dtype=F64) /
                     math.sqrt(n), case.dtype)
    C, C64 = rounded(torch.randn(b, t, g, n, generator=gen, dtype=F64) /
                     math.sqrt(n), case.dtype)
    a = a64.to(torch.float32)
    a64 = a.to(F64)
    args, ref = [x, a, B, C], [x64, a64, B64, C64]
    if P.get("init"):
        s0 = torch.randn(b, h, p, n, generator=gen, dtype=F64).to(
            torch.float32)
        args.append(s0)
        ref.append(s0.to(F64))
    elif t > 0:
        # exp(a_0) overflows; applied to the zero state it must give 0.
        a[:, 0] = 1000.0
        notes.append("a[:, 0] = 1000")
    return args, ref, notes


def attention_inputs(case, gen, shape):
    P = case.params
    b, t = shape[:2]
    s = shape[2] if len(shape) > 2 else t
    hv = P.get("hv", P["hk"])
    H = max(P["hq"], P["hk"], hv)
    q, q64 = rounded(torch.randn(b, t, P["hq"], P["n"], generator=gen,
                                 dtype=F64), case.dtype)
    k, k64 = rounded(torch.randn(b, s, P["hk"], P["n"], generator=gen,
                                 dtype=F64), case.dtype)
    v, v64 = rounded(torch.randn(b, s, hv, P["p"], generator=gen, dtype=F64),
                     case.dtype)
    args, ref = [q, k, v], [q64, k64, v64]
    if P["mask"] == "semiseparable":
        a = decays(gen, (b, t, H))
        if t >= 100:
            a[:, t // 2, 0] = -math.inf
        a = a.to(torch.float32)
        args.append(a)
        ref.append(a.to(F64))
    return args, ref


def poison_attention(case, args, t):
    """NaN in what no compared row may read: keys, values and decays from
    a cut on (causal and semiseparable masks; rows before the cut are
    compared), and a semiseparable mask's a_0. Returns (the cut, notes)."""
    if case.params["mask"] == "none" or t < 2:
        return t, []
    cut = t - max(1, t // 4)
    notes = [f"k, v[{cut}:] = NaN"]
    for tensor in args[1:3]:
        tensor[:, cut:] = math.nan
    if case.params["mask"] == "semiseparable":
        args[3][:, cut:] = math.nan
        args[3][:, 0] = math.nan
        notes = [f"k, v, decay[{cut}:] = NaN, decay[:, 0] = NaN"]
    return cut, notes


def relative_error(got, ref):
    """max |got - ref| / max |ref| (absolute where ref is all zero);
    NaN anywhere in got gives NaN."""
    if ref.numel() == 0:
        return 0.0
    diff = (got - ref).abs().max().item()
    scale = ref.abs().max().item()
    return diff / scale if scale > 0 else diff


#===------------------------------------------------------------------------===#
# Running
#===------------------------------------------------------------------------===#

class Report:
    def __init__(self):
        self.passed = self.failed = 0

    def result(self, ok, name, detail):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print(f"{'PASS' if ok else 'FAIL'} {name} {detail}", flush=True)


def compare(report, label, outputs, refs, dtypes, tol, rows=None,
            extra=""):
    """Checks each output's dtype and shape, then its error against the
    float64 reference (`rows`: the leading rows of dimension 1 compared)."""
    errors, problems = [], []
    for i, (out, ref, dtype) in enumerate(zip(outputs, refs, dtypes)):
        if out.dtype != DTYPES[dtype] or tuple(out.shape) != tuple(ref.shape):
            problems.append(f"output {i} is {out.dtype}{tuple(out.shape)}, "
                            f"expected {DTYPES[dtype]}{tuple(ref.shape)}")
            continue
        got = out.detach().to("cpu", F64)
        if rows is not None and i == 0:
            got, ref = got[:, :rows], ref[:, :rows]
        errors.append(relative_error(got, ref))
    err_text = " ".join(f"{e:.2e}" for e in errors)
    ok = not problems and all(e <= tol for e in errors)
    detail = f"{extra} max err {err_text} (tol {tol:g})"
    if problems:
        detail += ": " + "; ".join(problems)
    report.result(ok, label, detail)
    return errors


def run_case(lib, case, device, report):
    fn = lib[case.name]
    results = fn.signature.results
    result_dtypes = [r.dtype for r in results]
    tol = TOLERANCE[case.dtype]
    for index, shape in enumerate(case.shapes):
        gen = torch.Generator().manual_seed(zlib.crc32(
            f"{case.name} {shape}".encode()))
        label = f"{case.name} b={shape[0]} t={shape[1]}" + (
            f" s={shape[2]}" if len(shape) > 2 else "")
        try:
            start = time.perf_counter()
            if case.kind == "scan":
                args, ref_args, notes = scan_inputs(case, gen, *shape)
                refs = list(scan_reference(*ref_args))
                rows = None
            else:
                args, ref_args = attention_inputs(case, gen, shape)
                P = case.params
                refs = [attention_reference(
                    *ref_args[:3], P["kernel"], P["mask"], P["scale"],
                    ref_args[3] if len(ref_args) > 3 else None)]
                rows, notes = poison_attention(case, args, shape[1])
            args = [a.to(device) for a in args]
            out = None
            if index == 1 and args[0].dim() == 4 and min(args[0].shape) > 1:
                # A strided first argument: the loader makes it dense.
                args[0] = args[0].transpose(1, 2).contiguous().transpose(1, 2)
                notes.append("strided arg 0")
            if index == 2:
                # Caller-allocated results, sized by output_shapes.
                out = tuple(torch.empty(shape, dtype=DTYPES[r.dtype],
                                        device=device)
                            for r, (_, shape) in zip(
                                results, fn.output_shapes(*args)))
                notes.append("out=")
            outputs = fn(*args, out=out)
            if out is not None and any(o is not g for o, g in zip(
                    out, outputs if isinstance(outputs, tuple) else
                    (outputs,))):
                raise AssertionError("out= tensors were not returned")
            if not isinstance(outputs, tuple):
                outputs = (outputs,)
            if device != "cpu":
                torch.cuda.synchronize()
            ms = (time.perf_counter() - start) * 1e3
            extra = (f"[{', '.join(notes)}] " if notes else "") + \
                f"({ms:.0f} ms)"
            compare(report, label, outputs, refs, result_dtypes, tol, rows,
                    extra)
        except Exception as error:  # noqa: BLE001 - a case fails, not all
            report.result(False, label, f"raised {type(error).__name__}: "
                          f"{error}")
            if not isinstance(error, interact.Error):
                traceback.print_exc()


def check_references(report):
    """The chunked SSD (the reference at the benchmark shape) against the
    recurrence, with t not a multiple of the chunk. (No -inf decays: its
    differences of cumulative sums give NaN for them, which is why the
    benchmark shape's decays are finite.)"""
    gen = torch.Generator().manual_seed(7)
    x = torch.randn(2, 150, 4, 8, generator=gen, dtype=F64)
    a = decays(gen, (2, 150, 4))
    B = torch.randn(2, 150, 1, 16, generator=gen, dtype=F64)
    C = torch.randn(2, 150, 1, 16, generator=gen, dtype=F64)
    want = scan_reference(x, a, B, C)
    got = ssd_reference(x, a, B, C, 32)
    errors = [relative_error(g, w) for g, w in zip(got, want)]
    report.result(all(e <= 1e-12 for e in errors),
                  "reference chunked-ssd-vs-recurrence",
                  f"max err {errors[0]:.1e} {errors[1]:.1e} (tol 1e-12)")


def bench_inputs(b, t, device, seed=1):
    gen = torch.Generator().manual_seed(seed)
    h, p, n = 32, 64, 128
    x = torch.randn(b, t, h, p, generator=gen).to(torch.bfloat16)
    a = decays(gen, (b, t, h)).to(torch.float32)
    B = (torch.randn(b, t, 1, n, generator=gen) / math.sqrt(n)).to(
        torch.bfloat16)
    C = (torch.randn(b, t, 1, n, generator=gen) / math.sqrt(n)).to(
        torch.bfloat16)
    q, k, v = (torch.randn(b, t, 32, 64, generator=gen).to(torch.bfloat16)
               for _ in range(3))
    return [z.to(device) for z in (x, a, B, C)], \
        [z.to(device) for z in (q, k, v)]


def check_bench_shapes(lib, report, device, b, t):
    """The two benchmark functions at the benchmark shape: the scan against
    the float64 chunked SSD, attention on a sample of query rows."""
    scan_args, attn_args = bench_inputs(b, t, device)
    label = f"bench_mamba2_scan b={b} t={t}"
    try:
        start = time.perf_counter()
        outputs = lib.bench_mamba2_scan(*scan_args)
        ref = ssd_reference(*(z.to("cpu", F64) for z in scan_args))
        ms = (time.perf_counter() - start) * 1e3
        compare(report, label, outputs, list(ref), ["bf16", "f32"],
                TOLERANCE["bf16"], extra=f"(chunked SSD reference, {ms:.0f}"
                " ms)")
    except Exception as error:  # noqa: BLE001
        report.result(False, label, f"raised {type(error).__name__}: {error}")
    label = f"bench_causal_attention b={b} t={t}"
    try:
        start = time.perf_counter()
        y = lib.bench_causal_attention(*attn_args)
        gen = torch.Generator().manual_seed(3)
        rows = sorted(set(torch.randint(0, t, (62,), generator=gen).tolist())
                      | {0, t - 1})
        ref = attention_reference(*(z.to("cpu", F64) for z in attn_args),
                                  "softmax", "causal", 0.125, rows=rows)
        ms = (time.perf_counter() - start) * 1e3
        got = y.detach()[:, rows]
        compare(report, label, [got], [ref], ["bf16"], TOLERANCE["bf16"],
                extra=f"({len(rows)} sampled query rows, {ms:.0f} ms)")
    except Exception as error:  # noqa: BLE001
        report.result(False, label, f"raised {type(error).__name__}: {error}")


#===------------------------------------------------------------------------===#
# Benchmark (GPU)
#===------------------------------------------------------------------------===#

def time_interleaved(contenders, reps, warmup=3):
    """{name: median ms}: CUDA events around each call, every contender
    once per repetition, in turn."""
    for fn in contenders.values():
        for _ in range(warmup):
            fn()
    torch.cuda.synchronize()
    events = {name: [] for name in contenders}
    for _ in range(reps):
        for name, fn in contenders.items():
            start = torch.cuda.Event(enable_timing=True)
            end = torch.cuda.Event(enable_timing=True)
            start.record()
            fn()
            end.record()
            events[name].append((start, end))
    torch.cuda.synchronize()
    return {name: statistics.median(s.elapsed_time(e) for s, e in pairs)
            for name, pairs in events.items()}


def benchmark(lib, b, t, reps, device="cuda"):
    (x, a, B, C), (q, k, v) = bench_inputs(b, t, device)
    h, p, n, Q = 32, 64, 128, SSD_CHUNK
    scan_flops = b * h * 2 * t * (Q * n + Q * p + 2 * n * p)
    attn_flops = 2 * b * 32 * t * t * 64
    Bh, Ch = B.expand(b, t, h, n), C.expand(b, t, h, n)

    def eager():
        return ssd_minimal_discrete(x, a, Bh, Ch, Q)

    scan = {"interact scan": lambda: lib.bench_mamba2_scan(x, a, B, C),
            f"torch eager ssd_minimal (chunk {Q})": eager}
    try:
        compiled = torch.compile(ssd_minimal_discrete)
        compiled(x, a, Bh, Ch, Q)  # compiles
        scan[f"torch.compile ssd_minimal (chunk {Q})"] = \
            lambda: compiled(x, a, Bh, Ch, Q)
    except Exception as error:  # noqa: BLE001 - torch.compile is optional
        print(f"note: torch.compile skipped: {type(error).__name__}: "
              f"{str(error).splitlines()[0] if str(error) else ''}")
    y_eager = eager()[0].float()
    y_ours = lib.bench_mamba2_scan(x, a, B, C)[0].float()
    print(f"note: interact scan vs eager ssd_minimal (bf16): max err "
          f"{relative_error(y_ours, y_eager):.2e} (relative to max)")

    sdpa = torch.nn.functional.scaled_dot_product_attention
    qt, kt, vt = (z.transpose(1, 2) for z in (q, k, v))
    attn = {"interact causal attention":
            lambda: lib.bench_causal_attention(q, k, v),
            "torch SDPA is_causal=True": lambda: sdpa(qt, kt, vt,
                                                      is_causal=True)}
    y_sdpa = sdpa(qt, kt, vt, is_causal=True).transpose(1, 2).float()
    y_ours = lib.bench_causal_attention(q, k, v).float()
    print(f"note: interact attention vs SDPA: max err "
          f"{relative_error(y_ours, y_sdpa):.2e} (relative to max)")

    print(f"\nbenchmark: b={b} t={t}, median of {reps} interleaved "
          f"repetitions (CUDA events), {torch.cuda.get_device_name(0)}")
    print(f"  {'contender':42} {'ms':>9} {'/interact':>12} {'TFLOP/s':>9}")
    for title, group, flops in (
            (f"Mamba-2 scan h=32 p=64 n=128 g=1, bf16 (f32 a, state)",
             scan, scan_flops),
            (f"causal softmax attention h=32 d=64, bf16", attn, attn_flops)):
        times = time_interleaved(group, reps)
        ours = next(iter(times.values()))
        print(title)
        for name, ms in times.items():
            print(f"  {name:42} {ms:9.3f} {ms / ours:11.2f}x "
                  f"{flops / ms / 1e9:9.1f}")


#===------------------------------------------------------------------------===#

def find_library(args):
    if args.lib:
        return args.lib
    dirs = [args.lib_dir] if args.lib_dir else [
        os.path.join(ROOT, "lib"), os.path.join(ROOT, "build", "gpu-dist",
                                                "lib")]
    if args.device == "cpu":
        names = ["libcases_cpu.so"]
    else:
        major, minor = torch.cuda.get_device_capability(0)
        names = ["libcases_sm90.so"] if major == 9 else \
            ["libcases_sm80.so"] if major == 8 else []
        if not names:
            sys.exit(f"gpu_check: no library for compute capability "
                     f"{major}.{minor} (sm_80 and sm_90 are built)")
    for folder in dirs:
        for name in names:
            path = os.path.join(folder, name)
            if os.path.exists(path):
                return path
    sys.exit(f"gpu_check: none of {names} in {', '.join(dirs)} (run "
             "scripts/gpu-build.sh, or pass --lib)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", choices=("cuda", "cpu"), default="cuda")
    parser.add_argument("--lib", help="the library (default: by device)")
    parser.add_argument("--lib-dir", help="where libcases_*.so are")
    parser.add_argument("--only", help="run the cases whose name has this")
    parser.add_argument("--no-bench", action="store_true",
                        help="skip the benchmark table (GPU)")
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--bench-shape", default=None,
                        help="B,T of the benchmark shapes (default 4,4096; "
                        "1,512 with --device cpu)")
    args = parser.parse_args()
    began = time.perf_counter()
    torch.manual_seed(0)
    if args.device == "cuda" and not torch.cuda.is_available():
        print("gpu_check: torch.cuda.is_available() is False: no GPU (use "
              "--device cpu for the self-check)", file=sys.stderr)
        return 2
    bench_b, bench_t = map(int, (args.bench_shape or (
        "4,4096" if args.device == "cuda" else "1,512")).split(","))
    path = find_library(args)
    try:
        lib = interact.load(path)
    except interact.Error as error:
        print(f"gpu_check: {error}", file=sys.stderr)
        return 2
    print(f"library: {path}\n  target {lib.target}, device {lib.device}, "
          f"{len(lib.functions)} functions; torch {torch.__version__}"
          + (f", {torch.cuda.get_device_name(0)}" if args.device == "cuda"
             else ""), flush=True)
    expected = "cuda" if args.device == "cuda" else "cpu"
    if lib.device != expected:
        print(f"gpu_check: {path} is a {lib.device} library; --device "
              f"{args.device} needs a {expected} one", file=sys.stderr)
        return 2
    report = Report()
    check_references(report)
    for case in cases():
        if args.only and args.only not in case.name:
            continue
        if case.name not in lib.functions:
            report.result(False, case.name, "is not in the library")
            continue
        run_case(lib, case, args.device, report)
    if not args.only or "bench" in args.only:
        check_bench_shapes(lib, report, args.device, bench_b, bench_t)
    print(f"\n{report.passed} passed, {report.failed} failed "
          f"({time.perf_counter() - began:.1f} s)", flush=True)
    if args.device == "cuda" and not args.no_bench:
        try:
            benchmark(lib, bench_b, bench_t, args.reps)
        except Exception:  # noqa: BLE001 - the check's verdict stands
            print("benchmark failed:")
            traceback.print_exc()
    elif args.device == "cpu":
        print("benchmark: GPU only (--device cuda)")
    print(f"total {time.perf_counter() - began:.1f} s")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
