#!/usr/bin/env python3
"""Checks DESIGN.md's numerics rules on every form, against NumPy float64.

usage: numerics_suite.py INTERACT_OPT INTERACT_RUN MLIR_FILE WORK_DIR
           [--target=NAME] [--only=SUBSTRING]... [--no-rewrites] [--no-long]
           [--full-sweep]

Each run makes inputs with NumPy, writes them as .npy, runs one function of
MLIR_FILE (numerics.mlir) through interact-run and compares the outputs with
float64 references written here, independently of the project's reference
lowering:

* every decay weight is a direct segment sum exp(a_{j+1} + ... + a_i), never
  a difference of cumulative sums (`segsum`), so -inf is an exact zero and a
  huge decay cannot cancel the small ones after it;
* each scan is also run as a float64 recurrence, and the two references must
  agree before either is used;
* positions a mask excludes hold NaN or Inf in the inputs but not in the
  reference, which is evaluated on the clean inputs; the rows before them
  must come out the same.

Several cases share one run where they share a function and a length: they
are batch elements, each checked on its own. Cases worked by hand compare
with their constants. Runs whose inputs are finite also pass --check (the
float64 reference lowering); that verdict is a line of its own. Runs marked
for rewrites run again on each rewrite of interact-opt that changes their
function (as rewrite_suite.py decides), with --reference-from=MLIR_FILE.

Prints "NAME: ok" or "NAME: FAIL: WHY" per check and a final count line.
"""

import os
import re
import subprocess
import sys
import time

import numpy as np

# Shared with the other suites: the float64 recurrence, the ops of a function
# in printed IR, and the message of a failed interact-run.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "bench"))
from compile_sweep import first_error  # noqa: E402
from numpy_reference import scan_reference as scan_recurrence  # noqa: E402
from rewrite_suite import function_ops  # noqa: E402

F32_TOL = 1e-4     # interact-run --check's tolerance for f32
EXACT_TOL = 1e-5   # against constants worked by hand (f32 rounding of O(1))

# The rewrites that change some function of numerics.mlir; the round trips
# (scan -> attention -> scan) give back the original ops there.
PIPELINES = [
    ("scan-to-attention", ["--interact-scan-to-attention"]),
    ("attention-to-scan", ["--interact-attention-to-scan"]),
    ("to-chunked=24", ["--interact-to-chunked=chunk-size=24"]),
]

# ----------------------------------------------------------------------------
# float64 references


def heads(tensor, count):
    """Repeats each head of b x t x h x d so that there are `count`."""
    return np.repeat(tensor, count // tensor.shape[2], axis=2)


def segsum(a):
    """Segment sums of log-decays `a` (..., T) at the T + 1 points between
    steps: seg[..., i, j] = a[j] + ... + a[i-1] for j <= i (0 when i == j),
    -inf for j > i. Point 0 is before step 0 and point i + 1 after step i,
    so the weight of step j's input in step i's output is
    exp(seg[i+1, j+1]) = exp(a_{j+1} + ... + a_i). Each entry is summed from
    its own terms (a masked running sum that starts at zero in each column),
    never as a difference of two running sums; -inf stays -inf. Rows of
    `a` that repeat (the chunks of a constant decay) are summed once."""
    T = a.shape[-1]
    rows = a.reshape(-1, T)
    if rows.shape[0] > 1:
        unique, inverse = np.unique(rows, axis=0, return_inverse=True)
        if unique.shape[0] < rows.shape[0] // 2:
            return segsum(unique)[inverse.ravel()].reshape(a.shape[:-1] + (T + 1, T + 1))
    k = np.arange(T)[:, None]
    j = np.arange(T + 1)[None, :]
    terms = np.where(k >= j, a[..., :, None], 0.0)          # (..., T, T+1)
    sums = np.cumsum(terms, axis=-2)
    seg = np.concatenate([np.zeros(a.shape[:-1] + (1, T + 1)), sums], axis=-2)
    upper = np.arange(T + 1)[:, None] < np.arange(T + 1)[None, :]
    return np.where(upper, -np.inf, seg)


def scan_segsum(x, a, B, C, s0=None):
    """The scan as weights: y_i = sum_j exp(a_{j+1}+..+a_i) (C_i.B_j) x_j +
    exp(a_0+..+a_i) S0 C_i; scalar (a: b t h) or diagonal (a: b t h n)."""
    b, t, h, p = x.shape
    n = B.shape[3]
    # head-major: b h t d
    x, B, C = (np.ascontiguousarray(np.transpose(heads(u, h), (0, 2, 1, 3)))
               for u in (x, B, C))
    zero = s0 is None
    if zero:
        s0 = np.zeros((b, h, p, n))
    if a.ndim == 3:
        seg = segsum(np.transpose(a, (0, 2, 1)))              # b h T+1 T+1
        G = np.exp(seg[:, :, 1:, 1:]) * np.matmul(C, np.swapaxes(B, -1, -2).copy())
        y = G @ x
        if not zero:
            y += np.exp(seg[:, :, 1:, 0])[..., None] * (C @ np.swapaxes(s0, -1, -2))
        last = np.exp(seg[:, :, t, 1:])                        # b h j
        S = np.swapaxes(x, -1, -2) @ (last[..., None] * B) + \
            np.exp(seg[:, :, t, 0])[:, :, None, None] * s0
    else:
        seg = segsum(np.transpose(a, (0, 2, 3, 1)))           # b h n T+1 T+1
        W = np.exp(seg[..., 1:, 1:])                           # b h n i j
        Ck, Bk = np.swapaxes(C, -1, -2), np.swapaxes(B, -1, -2)   # b h n t
        G = (W * Ck[..., :, None] * Bk[..., None, :]).sum(axis=2)  # b h i j
        start = np.exp(seg[..., 1:, 0])                        # b h n i
        y = G @ x + (C * np.swapaxes(start, -1, -2)) @ np.swapaxes(s0, -1, -2)
        last = np.exp(seg[..., t, 1:])                         # b h n j
        S = np.swapaxes(x, -1, -2) @ (B * np.swapaxes(last, -1, -2)) + \
            np.exp(seg[..., t, 0])[:, :, None, :] * s0
    return np.transpose(y, (0, 2, 1, 3)), S


def scan_chunked(x, a, B, C, s0=None, Q=256):
    """The scan chunk by chunk, for long t: each chunk by its own segment
    sums from a zero state (many chunks at a time, as a batch), then the
    states carried across chunks, each decayed by exp(sum of its chunk's a)
    and entering step i by exp(sum of a from the chunk's start to i)."""
    b, t, h, p = x.shape
    n = B.shape[3]
    pad = -t % Q
    if pad:  # x = B = C = 0, a = 0: steps that leave the state as it is
        grow = lambda u: np.concatenate(
            [u, np.zeros((b, pad) + u.shape[2:])], axis=1)
        x, a, B, C = grow(x), grow(a), grow(B), grow(C)
    nc = x.shape[1] // Q
    chunks = lambda u: u.reshape((b * nc, Q) + u.shape[2:])
    x, a, B, C = chunks(x), chunks(a), chunks(B), chunks(C)
    y = np.empty((b * nc, Q, h, p))
    local = np.empty((b * nc, h, p, n))
    group = max(1, 2 ** 22 // (h * Q * Q * (n if a.ndim == 4 else 1)))
    for g in range(0, b * nc, group):
        part = np.s_[g:g + group]
        y[part], local[part] = scan_segsum(x[part], a[part], B[part], C[part])
    total = a.sum(axis=1)                  # b*nc h [n]: a chunk's own sum
    into = np.cumsum(a, axis=1)            # from the chunk's start to step i
    total = total.reshape((b, nc) + total.shape[1:])
    local = local.reshape(b, nc, h, p, n)
    carried = np.empty((b, nc, h, p, n))   # the state entering each chunk
    S = np.zeros((b, h, p, n)) if s0 is None else s0.copy()
    for c in range(nc):
        carried[:, c] = S
        d = np.exp(total[:, c])
        S = (d[:, :, None, None] if a.ndim == 3 else d[:, :, None, :]) * S + local[:, c]
    carried = carried.reshape(b * nc, h, p, n)
    Ch = heads(C, h)
    w = np.exp(into)
    w = w[..., None] if a.ndim == 3 else w  # b*nc Q h (1 or n)
    y += np.einsum("cihn,chpn->cihp", Ch * w, carried)
    return y.reshape(b, nc * Q, h, p)[:, :t], S


def scan_reference(x, a, B, C, s0=None, chunk=None, prefix=None):
    """The scan by segment sums (chunk by chunk if `chunk`), checked against
    the recurrence (on the first `prefix` steps only, if given: it loops in
    Python); raises if they disagree."""
    args = [None if v is None else np.asarray(v, np.float64) for v in (x, a, B, C, s0)]
    seg = scan_chunked(*args, Q=chunk) if chunk else scan_segsum(*args)
    if prefix:
        part = [None if v is None else v[:, :prefix] for v in args[:4]] + [args[4]]
        rec = scan_recurrence(*part)[0], None
        mine = seg[0][:, :prefix], None
    else:
        rec, mine = scan_recurrence(*args), seg
    for u, v in zip(mine, rec):
        err = 0.0 if u is None else relative_error(u, v)
        if not err <= 1e-9:
            raise AssertionError(f"the two float64 references differ by {err:.3g}")
    return seg


def attention_reference(q, k, v, kernel, mask, scale=1.0, a=None):
    """score_ij = scale q_i.k_j; identity: sum_j M_ij score_ij v_j; softmax
    over the visible keys (M_ij > 0) of score_ij + log M_ij, 0 if none."""
    q, k, v = (np.asarray(u, np.float64) for u in (q, k, v))
    b, t = q.shape[:2]
    s = k.shape[1]
    H = max(q.shape[2], k.shape[2], v.shape[2])
    q, k, v = heads(q, H), heads(k, H), heads(v, H)
    scores = scale * np.einsum("bihn,bjhn->bhij", q, k)
    log_mask = np.zeros((b, H, t, s))
    if mask == "causal":
        log_mask[:, :, np.triu(np.ones((t, s), bool), 1)] = -np.inf
    elif mask == "semiseparable":
        log_mask = segsum(np.transpose(np.asarray(a, np.float64), (0, 2, 1)))[:, :, 1:, 1:]
    visible = log_mask > -np.inf
    if kernel == "identity":
        weights = np.where(visible, scores * np.exp(log_mask), 0.0)
        return np.einsum("bhij,bjhp->bihp", weights, v)
    logits = np.where(visible, scores + log_mask, -np.inf)
    top = np.max(logits, axis=-1, keepdims=True, initial=-np.inf)
    weights = np.where(visible, np.exp(logits - np.where(np.isfinite(top), top, 0)), 0)
    total = weights.sum(axis=-1).transpose(0, 2, 1)[..., None]   # b i h 1
    y = np.einsum("bhij,bjhp->bihp", weights, v)
    return np.where(total > 0, y / np.where(total > 0, total, 1), 0.0)


def relative_error(got, ref):
    """max |got - ref| / (|ref| + rms(ref)), the measure of --check; inf if
    `got` has a NaN or Inf."""
    got, ref = np.asarray(got, np.float64), np.asarray(ref, np.float64)
    if ref.size == 0:
        return 0.0
    if not np.all(np.isfinite(got)):
        return np.inf
    rms = np.sqrt(np.mean(ref ** 2))
    return float(np.max(np.abs(got - ref) / (np.abs(ref) + rms + 1e-300)))


def decays(rng, shape):
    """Realistic log-decays, as interact-run --random-inputs makes them."""
    return -np.log1p(np.exp(rng.standard_normal(shape) - 4)) * \
        rng.uniform(0.5, 3, shape)


# ----------------------------------------------------------------------------
# runs and checks


class Check:
    """Output `output` of a run, at index `where`, against `ref` (float64)
    with tolerance `tol` (0: equal to the last bit)."""

    def __init__(self, name, output, ref, where=(), tol=F32_TOL, report=False):
        self.name, self.output, self.where = name, output, where
        self.ref = np.asarray(ref, np.float64)[where]
        self.tol, self.report = tol, report

    def verdict(self, got):
        """(problem or None, the error)."""
        g = got.astype(np.float64)[self.where]
        r = self.ref
        if g.shape != r.shape:
            return f"shape {g.shape}, expected {r.shape}", None
        if self.tol == 0:
            if not np.array_equal(g, r):
                return (f"got {g.ravel()[:6]}, expected exactly {r.ravel()[:6]}",
                        None)
            return None, 0.0
        bad = ~np.isfinite(g)
        if bad.any():
            return f"{bad.sum()} of {g.size} values are not finite", np.inf
        err = relative_error(g, r)
        if not err <= self.tol:
            scale = np.abs(r) + np.sqrt(np.mean(r ** 2))
            worst = np.unravel_index(np.argmax(np.abs(g - r) / scale), r.shape)
            return (f"max relative error {err:.3g} > {self.tol:g} at {list(worst)}: "
                    f"got {g[worst]:.9g}, expected {r[worst]:.9g}"), err
        return None, err


class Run:
    """One interact-run of `function` on `inputs`, with its checks."""

    def __init__(self, name, function, inputs, shapes, checks, check=False,
                 rewrites=False):
        self.name, self.function = name, function
        self.inputs = [np.ascontiguousarray(u) for u in inputs]
        self.shapes = shapes            # the expected shape of each output
        self.checks, self.check, self.rewrites = checks, check, rewrites


class Runner:
    def __init__(self, run_tool, work, target_flags):
        self.run_tool, self.work = run_tool, work
        self.target_flags = target_flags  # --target=NAME, or nothing
        self.count = self.passed = self.total = 0
        self.times = []  # (wall seconds, run)

    def line(self, name, problem, extra=""):
        self.total += 1
        self.passed += problem is None
        print(f"{name}: " + (f"FAIL: {problem}" if problem else "ok" + extra), flush=True)

    def run(self, job, source, tag=None, reference_from=None):
        self.count += 1
        stem = os.path.join(self.work, f"run{self.count}")
        cmd = [self.run_tool, source, *self.target_flags,
               f"--function={job.function}"]
        for i, array in enumerate(job.inputs):
            np.save(f"{stem}.in{i}.npy", array)
            cmd.append(f"--input=@{stem}.in{i}.npy")
        outs = [f"{stem}.out{i}.npy" for i in range(len(job.shapes))]
        for path in outs:
            if os.path.exists(path):
                os.remove(path)
        cmd += [f"--output=@{p}" for p in outs]
        if job.check:
            cmd.append("--check")
            if reference_from:
                cmd.append(f"--reference-from={reference_from}")
        begin = time.time()
        result = subprocess.run(cmd, capture_output=True, text=True)
        self.times.append((time.time() - begin, job.name + (f" [{tag}]" if tag else "")))
        suffix = f" [{tag}]" if tag else ""
        # interact-run writes the outputs before --check compares them.
        outputs = []
        failure = None
        for i, (path, shape) in enumerate(zip(outs, job.shapes)):
            if not os.path.exists(path):
                failure = (f"interact-run exited with {result.returncode}, no outputs: "
                           + first_error(result.stderr))
                break
            out = np.load(path)
            if out.dtype != np.float32 or out.shape != shape:
                failure = f"output {i} is {out.dtype}{out.shape}, expected float32{shape}"
                break
            outputs.append(out)
        for c in job.checks:
            if failure:
                self.line(c.name + suffix, failure)
                continue
            problem, err = c.verdict(outputs[c.output])
            extra = f" (max relative error {err:.2g})" if c.report and err is not None else ""
            self.line(c.name + suffix, problem, extra)
        if job.check:
            passed = "check: PASSED" in result.stdout
            lines = [l.strip() for l in result.stdout.splitlines() if "FAILED" in l]
            errors = re.findall(r"max relative error (\S+)", result.stdout)
            self.line(f"{job.name} --check{suffix}",
                      None if passed else "; ".join(lines) or "did not pass: " +
                      first_error(result.stderr),
                      f" (max relative error {', '.join(errors)})" if errors else "")
        elif result.returncode != 0 and not failure:
            self.line(f"{job.name} exit status{suffix}",
                      f"interact-run exited with {result.returncode}: " +
                      first_error(result.stderr))


# ----------------------------------------------------------------------------
# the cases

SCANS1 = ["scan1", "chunked1_q2", "chunked1_q4", "chunked1_q8"]
DIAG1 = ["scan1_diag", "chunked1_diag_q2", "chunked1_diag_q4", "chunked1_diag_q8"]
SCANS_M = ["scan_m", "chunked_m_q16", "chunked_m_q24", "chunked_m_q32"]
DIAG_M = ["scan_m_diag", "chunked_m_diag_q24", "chunked_m_diag_q32"]
ATTN_M = [  # function, kernel, mask, scale
    ("attn_m_identity_causal", "identity", "causal", 0.5),
    ("attn_m_identity_semi", "identity", "semiseparable", 1.0),
    ("attn_m_softmax_causal", "softmax", "causal", 0.25),
    ("attn_m_softmax_semi", "softmax", "semiseparable", 0.25),
]


def hand_runs():
    """Rules 1, 2 and 5 on b = h = p = n = 1, worked by hand. The three
    sequences are the batch, each padded to t = 5 with x = 0, a = 0 (which
    leave the state as it is) so that no chunk size divides it; with
    chunk_size 4 the huge-decay case is one chunk."""
    cases = [
        # 1. -inf is an exact reset: y1 = 1; S2 = 0 * 1 + 2 = 2;
        #    S3 = e^-0.5 * 2 + 3 = 4.2131.
        ("-inf reset by hand", [1, 2, 3], [-0.5, -np.inf, -0.5],
         [1.0, 2.0, 3 + 2 * np.exp(-0.5)], [1, 2, 4.2131], 5e-5),
        # 2. -1e30 empties a zero state; the -0.1 after it must not cancel:
        #    y_i = sum_{k <= i-1} e^{-0.1 k}.
        ("huge decay by hand", [1, 1, 1, 1], [-1e30, -0.1, -0.1, -0.1],
         [1.0, 1 + np.exp(-0.1), 1 + np.exp(-0.1) + np.exp(-0.2),
          1 + np.exp(-0.1) + np.exp(-0.2) + np.exp(-0.3)],
         [1, 1.904837, 2.723568, 3.464386], 5e-7),
        # 5. a_0 = +100 on a zero state: y = [1, 2 + e^-0.5] = [1, 2.606531].
        ("a_0=+100 by hand", [1, 2], [100, -0.5], [1.0, 2 + np.exp(-0.5)],
         [1, 2.606531], 5e-7),
    ]
    t = 5
    x = np.zeros((3, t, 1, 1), np.float32)
    a = np.zeros((3, t, 1), np.float32)
    ones = np.ones((3, t, 1, 1), np.float32)
    for e, (_, xs, As, exact, given, atol) in enumerate(cases):
        assert np.allclose(exact, given, rtol=0, atol=atol), (exact, given)
        x[e, :len(xs), 0, 0] = xs
        a[e, :len(As), 0] = As
    y, S = scan_reference(x, a, ones, ones)
    for e, (label, xs, _, exact, _, _) in enumerate(cases):
        # The float64 references of the f32 inputs agree with the constants.
        assert relative_error(y[e, :len(xs), 0, 0], exact) < 1e-7, (label, y[e])
        y[e, :len(xs), 0, 0] = exact
    runs = []
    for fn in SCANS1 + DIAG1:
        av = a if fn in SCANS1 else a[..., None]
        checks = []
        for e, (label, xs, *_) in enumerate(cases):
            checks.append(Check(f"{label} {fn} y", 0, y, np.s_[e, :len(xs)], EXACT_TOL))
            checks.append(Check(f"{label} {fn} final state", 1, S, np.s_[e], EXACT_TOL))
        runs.append(Run(f"by hand {fn}", fn, [x, av, ones, ones],
                        [(3, t, 1, 1), (3, 1, 1, 1)], checks, check=True, rewrites=True))
    ys = attention_reference(ones, ones, x, "softmax", "semiseparable", 1.0, a)
    for fn, ref in [("attn1_identity_semi", y), ("attn1_softmax_semi", ys)]:
        checks = [Check(f"{label} {fn} y", 0, ref, np.s_[e, :len(xs)], EXACT_TOL)
                  for e, (label, xs, *_) in enumerate(cases)]
        runs.append(Run(f"by hand {fn}", fn, [ones, ones, x, a], [(3, t, 1, 1)], checks,
                        check=True, rewrites=fn == "attn1_identity_semi"))
    return runs


def step_one_garbage_runs():
    """Rule 3 at t = 2: step 1 holds NaN or Inf, and y[0] is exactly
    3 = 1 * 1 * 3, for causal attention with v = [3, NaN] (and garbage in q
    and k too), semiseparable attention (garbage in a too) and every scan
    with x = [3, NaN] (and B, C, a)."""
    nan, inf = np.nan, np.inf
    y = np.full((3, 2, 1, 1), np.nan)
    y[:, 0] = 3
    labels = ["v", "q k v a", "q k v a inf"]
    q = np.array([[1, 1], [1, nan], [1, inf]], np.float32).reshape(3, 2, 1, 1)
    k = np.array([[1, 1], [1, nan], [1, -inf]], np.float32).reshape(3, 2, 1, 1)
    v = np.array([[3, nan], [3, nan], [3, inf]], np.float32).reshape(3, 2, 1, 1)
    a = np.array([[0, 0], [0, nan], [0, -inf]], np.float32).reshape(3, 2, 1)
    runs = []
    for fn in ("attn1_softmax_causal", "attn1_identity_causal", "attn1_softmax_semi",
               "attn1_identity_semi"):
        checks = [Check(f"garbage in {labels[e]} at step 1 {fn} y[0]", 0, y,
                        np.s_[e, 0], tol=0) for e in range(3)]
        inputs = [q, k, v] + ([a] if fn.endswith("semi") else [])
        runs.append(Run(f"garbage at step 1 {fn}", fn, inputs, [(3, 2, 1, 1)], checks))
    labels = ["x", "x B C a", "x B C a inf"]
    x = np.array([[3, nan], [3, nan], [3, inf]], np.float32).reshape(3, 2, 1, 1)
    bc = np.array([[1, 1], [1, nan], [1, -inf]], np.float32).reshape(3, 2, 1, 1)
    a = np.array([[0, 0], [0, nan], [0, inf]], np.float32).reshape(3, 2, 1)
    for fn in SCANS1[:3] + DIAG1[:3]:
        checks = [Check(f"garbage in {labels[e]} at step 1 {fn} y[0]", 0, y,
                        np.s_[e, 0], tol=0) for e in range(3)]
        av = a if fn in SCANS1 else a[..., None]
        runs.append(Run(f"garbage at step 1 {fn}", fn, [x, av, bc, bc],
                        [(3, 2, 1, 1), (3, 1, 1, 1)], checks))
    return runs


def random_runs(rng):
    """Rules 1, 2 and 5 at b = 2 each (one batch of 6), t = 100, h = 4,
    p = n = 16, g = 2, with an initial state, for every scan form and chunk
    size, identity semiseparable attention (q = C, k = B, v = x; no initial
    state) and softmax semiseparable attention."""
    t, per = 100, 2
    marks = sorted({0, t - 1} | {m + d for m in (16, 24, 32, 48, 64, 72, 96)
                                 for d in (-1, 0, 1) if m + d < t})

    def resets(shape):
        # -inf at random steps, at every chunk boundary (multiples of 16,
        # 24 and 32) and one off it in head 0, at the first step (head 1)
        # and the last (head 2); for diagonal decays, also single columns.
        a = decays(rng, shape)
        hit = rng.random(shape[:3]) < 0.05
        hit[:, marks, 0] = True
        hit[:, 0, 1] = True
        hit[:, t - 1, 2] = True
        if len(shape) == 4:
            a[rng.random(shape) < 0.03] = -np.inf
        a[hit] = -np.inf
        return a

    def mixed(shape):
        # huge (-1e30, -1e4) and tiny (-1e-6) decays among ordinary ones
        a = decays(rng, shape)
        u = rng.random(shape)
        a[u < 0.04] = -1e30
        a[(u >= 0.04) & (u < 0.08)] = -1e4
        a[(u >= 0.08) & (u < 0.3)] = -1e-6
        return a

    def first_big(shape):
        a = decays(rng, shape)
        a[:, 0] = 100
        return a

    rules = [("random -inf resets", resets), ("random huge and tiny decays", mixed),
             ("random a_0=+100 zero state", first_big)]
    b = per * len(rules)
    f32 = lambda *shape: rng.standard_normal(shape).astype(np.float32)
    x, B, C, q = f32(b, t, 4, 16), f32(b, t, 2, 16), f32(b, t, 2, 16), f32(b, t, 4, 16)
    s0 = f32(b, 4, 16, 16)
    s0[2 * per:] = 0   # a_0 = +100 needs a zero state
    runs = []
    for diag in (False, True):
        shape = (per, t, 4) + ((16,) if diag else ())
        a = np.concatenate([make(shape) for _, make in rules]).astype(np.float32)
        y, S = scan_reference(x, a, B, C, s0)
        for fn in DIAG_M if diag else SCANS_M:
            checks = []
            for r, (label, _) in enumerate(rules):
                part = np.s_[r * per:(r + 1) * per]
                checks.append(Check(f"{label} {fn} y", 0, y, part))
                checks.append(Check(f"{label} {fn} final state", 1, S, part))
            runs.append(Run(f"random {fn}", fn, [x, a, B, C, s0],
                            [(b, t, 4, 16), (b, 4, 16, 16)], checks, check=True,
                            rewrites=True))
        if diag:
            continue
        y0, _ = scan_reference(x, a, B, C)
        ys = attention_reference(q, B, x[:, :, :2], "softmax", "semiseparable", 0.25, a)
        for fn, inputs, ref in [("attn_m_identity_semi", [C, B, x, a], y0),
                                ("attn_m_softmax_semi", [q, B, x[:, :, :2], a], ys)]:
            checks = [Check(f"{label} {fn} y", 0, ref, np.s_[r * per:(r + 1) * per])
                      for r, (label, _) in enumerate(rules)]
            runs.append(Run(f"random {fn}", fn, inputs, [(b, t, 4, 16)], checks,
                            check=True, rewrites=fn == "attn_m_identity_semi"))
    return runs


def garbage_runs(rng, t, pad=None, forms=None):
    """Rule 3 at every alignment: batch element e < t holds garbage from step
    e + 1 on (NaN, +Inf, -Inf or 3e38, in turn over elements and operands);
    its rows up to step e must equal the reference on clean inputs. With
    `pad`, one more element is a right-padded sequence whose last `pad`
    steps are NaN in every operand, and another is clean."""
    valid = list(range(1, t + 1))
    kinds = [[np.nan, np.inf, -np.inf, 3e38][(e + i) % 4] for i in range(7)
             for e in range(t)]
    kinds = np.array(kinds).reshape(7, t)
    if pad:
        valid += [t - pad, t]
        kinds = np.concatenate([kinds, np.full((7, 2), np.nan)], axis=1)
    b = len(valid)
    f32 = lambda *shape: rng.standard_normal(shape).astype(np.float32)
    clean = dict(x=f32(b, t, 4, 16), B=f32(b, t, 2, 16), C=f32(b, t, 2, 16),
                 q=f32(b, t, 4, 16), a=decays(rng, (b, t, 4)).astype(np.float32),
                 ad=decays(rng, (b, t, 4, 16)).astype(np.float32))
    clean["v"] = clean["x"][:, :, :2].copy()
    s0 = f32(b, 4, 16, 16)
    dirty = {key: u.copy() for key, u in clean.items()}
    for i, key in enumerate(dirty):
        for e, L in enumerate(valid):
            dirty[key][e, L:] = kinds[i, e]
    # Only the rows before the garbage (`seen`) are compared.
    seen = np.zeros((b, t), bool)
    for e, L in enumerate(valid):
        seen[e, :L] = True
    sweep = seen.copy()
    sweep[t:] = False
    label = f"padded t={t} last {pad} NaN" if pad else f"garbage sweep t={t}"

    def checks(fn, ref):
        if not pad:
            return [Check(f"{label} {fn} y", 0, ref, seen)]
        return [Check(f"garbage sweep t={t} {fn} y", 0, ref, sweep),
                Check(f"{label} {fn} y", 0, ref, np.s_[t, :t - pad]),
                Check(f"unpadded beside it t={t} {fn} y", 0, ref, np.s_[t + 1])]

    runs = []
    for diag in (False, True):
        ka = "ad" if diag else "a"
        fns = [fn for fn in (DIAG_M if diag else SCANS_M) if not forms or fn in forms]
        if not fns:
            continue
        y, _ = scan_reference(clean["x"], clean[ka], clean["B"], clean["C"], s0, chunk=16)
        for fn in fns:
            runs.append(Run(f"{label} {fn}", fn,
                            [dirty[k] for k in ("x", ka, "B", "C")] + [s0],
                            [(b, t, 4, 16), (b, 4, 16, 16)], checks(fn, y),
                            rewrites=bool(pad)))
    for fn, kernel, mask, scale in ATTN_M:
        if forms and fn not in forms:
            continue
        keys = ["C", "B", "x"] if kernel == "identity" else ["q", "B", "v"]
        keys += ["a"] if mask == "semiseparable" else []
        ref = attention_reference(*[clean[k] for k in keys[:3]], kernel, mask, scale,
                                  clean["a"] if len(keys) == 4 else None)
        runs.append(Run(f"{label} {fn}", fn, [dirty[k] for k in keys],
                        [(b, t, 4, 16)], checks(fn, ref),
                        rewrites=bool(pad) and kernel == "identity"))
    return runs


def empty_runs(rng):
    """Rule 4: attention over s = 0 keys (mask none) is 0 in every row."""
    runs = []
    f32 = lambda *shape: rng.standard_normal(shape).astype(np.float32)
    for t in (33,):
        zero = np.zeros((2, t, 4, 16))
        for fn, q, v in [("attn_m_softmax_none", f32(2, t, 4, 16), f32(2, 0, 2, 16)),
                         ("attn_m_identity_none", f32(2, t, 2, 16), f32(2, 0, 4, 16))]:
            runs.append(Run(f"no keys t={t} {fn}", fn, [q, f32(2, 0, 2, 16), v],
                            [(2, t, 4, 16)],
                            [Check(f"no keys t={t} {fn} y", 0, zero, tol=0)], check=True))
    return runs


def sharp_softmax_runs(rng):
    """Softmax weights over the whole f32 range: scores (scale 0.25, q 40x
    larger than unit normal) a few hundred apart, so that most weights of a
    row are below exp(-87) (below f32's normal range: the AVX2 kernel's
    exp2 gives them about 1e-38) and a few dominate; causal at t = 100 (blocks of keys cross the diagonal and
    the end) and unmasked over s = 70 keys."""
    runs = []
    f32 = lambda *shape: rng.standard_normal(shape).astype(np.float32)
    for fn, mask, t, s in [("attn_m_softmax_causal", "causal", 100, 100),
                           ("attn_m_softmax_none", "none", 37, 70)]:
        q, k, v = 40 * f32(2, t, 4, 16), f32(2, s, 2, 16), f32(2, s, 2, 16)
        ref = attention_reference(q, k, v, "softmax", mask, 0.25)
        runs.append(Run(f"sharp softmax t={t} s={s} {fn}", fn, [q, k, v],
                        [(2, t, 4, 16)], [Check(f"sharp softmax {fn} y", 0, ref)],
                        check=True))
    return runs


def long_runs(rng):
    """Rule 8: a constant decay near 0 over a long sequence (p = n = 32):
    -1e-6 for t = 262144 and -1e-4 for t = 65536 (diagonal: per-column
    decays from a/2 to 2a); and decays just strong enough for the
    recurrence's direct blocks (-0.02 and, diagonal, -0.04)."""
    runs = []
    for a_value, t, fns, short in [
            (-1e-6, 262144, ["scan_long", "chunked_long_q64"], False),
            # Inputs that are exact bf16 values (upcast activations): their
            # products have short mantissas, so per-step rounding of a state
            # does not average out.
            (-1e-6, 262144, ["scan_long", "chunked_long_q64"], True),
            (-1e-4, 65536, ["scan_long", "chunked_long_q64",
                            "scan_long_diag", "chunked_long_diag_q64"], False),
            # Decays whose 128-step blocks forget (summed log-decays below
            # -2: the recurrence carries its state directly there), just
            # past that bound; diagonal: the slowest column's sum is -2.56.
            (-0.02, 262144, ["scan_long"], False),
            (-0.02, 262144, ["scan_long"], True),
            (-0.04, 65536, ["scan_long_diag"], False)]:
        x, B, C = (rng.standard_normal((1, t, 1, 32)).astype(np.float32) for _ in range(3))
        if short:
            x, B, C = ((v.view(np.uint32) & np.uint32(0xFFFF0000)).view(np.float32)
                       for v in (x, B, C))
        start = time.time()
        refs = {}
        for fn in fns:
            diag = "diag" in fn
            if diag not in refs:
                if diag:
                    a = np.broadcast_to((a_value * np.linspace(0.5, 2, 32)).astype(
                        np.float32), (1, t, 1, 32)).copy()
                else:
                    a = np.full((1, t, 1), a_value, np.float32)
                refs[diag] = (a,) + scan_reference(x, a, B, C, chunk=16 if diag else 64,
                                                      prefix=4096)
            a, y, S = refs[diag]
            name = f"a={a_value:g} t={t}{' bf16-exact inputs' if short else ''} {fn}"
            runs.append(Run(name, fn, [x, a, B, C], [(1, t, 1, 32), (1, 1, 32, 32)],
                            [Check(f"{name} y", 0, y, report=True),
                             Check(f"{name} final state", 1, S, report=True)]))
        print(f"# float64 references for a={a_value:g}, t={t}"
              f"{' (bf16-exact inputs)' if short else ''}: "
              f"{time.time() - start:.1f} s", flush=True)
    return runs


# Lengths of the garbage sweep besides t = 40 (which has every form), and the
# forms run at them: the chunked scans and attention have tiles or chunks to
# align with; the recurrences have none.
SWEEP = [9, 65]
FULL_SWEEP = list(range(2, 40)) + [47, 48, 49, 63, 64, 65, 66, 71, 72, 73]
SWEEP_FORMS = ["chunked_m_q16", "chunked_m_q24", "chunked_m_diag_q24"] + \
    [fn for fn, *_ in ATTN_M]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    flags = [a for a in sys.argv[1:] if a.startswith("--")]
    opt, run_tool, mlir, work = args
    only = [f.split("=", 1)[1] for f in flags if f.startswith("--only=")]
    target_flags = [f for f in flags if f.startswith("--target=")]
    os.makedirs(work, exist_ok=True)
    start = time.time()
    rng = np.random.default_rng(0)

    runs = hand_runs() + step_one_garbage_runs() + random_runs(rng)
    runs += garbage_runs(rng, 40, pad=5)
    for t in FULL_SWEEP if "--full-sweep" in flags else SWEEP:
        runs += garbage_runs(rng, t, forms=SWEEP_FORMS)
    runs += empty_runs(rng) + sharp_softmax_runs(rng)
    if "--no-long" not in flags:
        runs += long_runs(rng)
    if only:
        runs = [r for r in runs if any(o in r.name for o in only)]
    print(f"# inputs and references: {time.time() - start:.1f} s", flush=True)

    # The rewrites of the whole file, and which functions each changes.
    source = open(mlir).read()
    rewritten = []
    runner = Runner(run_tool, work, target_flags)
    if "--no-rewrites" not in flags:
        for tag, pipeline in PIPELINES:
            result = subprocess.run([opt, mlir, *target_flags, *pipeline],
                                    capture_output=True, text=True)
            if result.returncode != 0:
                runner.line(f"rewrite {tag}", "interact-opt failed: " +
                            result.stderr.strip()[:300])
                continue
            path = os.path.join(work, f"rewritten.{tag}.mlir")
            with open(path, "w") as f:
                f.write(result.stdout)
            changed = {fn for fn in re.findall(r"func\.func @(\w+)\(", source)
                       if function_ops(result.stdout, fn) != function_ops(source, fn)}
            rewritten.append((tag, path, changed))

    for job in runs:
        runner.run(job, mlir)
        if job.rewrites:
            for tag, path, changed in rewritten:
                if job.function in changed:
                    runner.run(job, path, tag, reference_from=mlir)
    slow = sorted(runner.times, reverse=True)[:5]
    print(f"# {runner.count} runs of interact-run, {sum(t for t, _ in runner.times):.1f} s; "
          "slowest: " + ", ".join(f"{name} {t:.1f} s" for t, name in slow))
    print(f"# {time.time() - start:.1f} s in all")
    print(f"numerics: {runner.passed} of {runner.total} checks pass")
    return 0 if runner.passed == runner.total else 1


if __name__ == "__main__":
    sys.exit(main())
