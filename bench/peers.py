"""The peers bench/run.py times beside interact, and the machine it runs on.

Each peer is built once for a shape (inputs made, compiled, warmed up) and
returned as a function of a repetition count that yields (median, min, max)
milliseconds, like interact_bench.time_stats, so that run.py can interleave
peers and interact-run processes in rounds.

* PyTorch, any version (Debian's python3-torch 1.13 or 2.x from the bench
  virtual environment): Mamba-2's chunked SSD as einsums, and causal softmax
  attention as softmax(q k^T * scale + mask) v.
* PyTorch 2.x only: scaled_dot_product_attention(is_causal=True) (the fused
  flash kernel on CPU), and torch.compile of the chunked SSD.
* JAX: the recurrence interact.scan computes, as jax.lax.scan under jax.jit.
* The roofline: a float32 GEMM through NumPy's BLAS, preferably Debian's
  NumPy over Debian's OpenBLAS (the figure docs/Benchmarks.md reports) in a
  process of its own, and torch.mm as a second opinion.
"""

import json
import math
import os
import signal
import subprocess
import sys
import time

import numpy as np

DEBIAN_PYTHON = "/usr/bin/python3"


def stats(times):
    """(median, min, max) of a list of milliseconds."""
    times = sorted(times)
    return times[len(times) // 2], times[0], times[-1]


def timer(fn):
    """fn (which must finish its work before returning) as a function of a
    repetition count that yields (median, min, max) milliseconds."""
    def run(repetitions):
        times = []
        for _ in range(repetitions):
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1e3)
        return stats(times)
    return run


# --- the machine -----------------------------------------------------------

def cpu_info():
    """(model name, set of /proc/cpuinfo flags) of the first CPU."""
    model, flags = "unknown", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name" and model == "unknown":
                    model = value.strip()
                elif key == "flags" and not flags:
                    flags = set(value.split())
    except OSError:
        pass
    return model, flags


# What each bench target needs of the CPU that runs it (the psABI levels).
TARGET_FLAGS = {"host": (), "x86-64-v3": ("avx2", "fma"),
                "x86-64-v4": ("avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl")}


def missing_flags(target):
    return [f for f in TARGET_FLAGS[target] if f not in cpu_info()[1]]


# --- the roofline -----------------------------------------------------------

# Run by a Python of its own (Debian's when it has NumPy): a GEMM best of
# `reps`, and which BLAS library ran it (from the process's mappings, and
# OpenBLAS's own word on the kernel it picked).
_GEMM = r"""
import ctypes, json, sys, time
import numpy as np
size, reps = int(sys.argv[1]), int(sys.argv[2])
a = np.random.default_rng(0).standard_normal((size, size), dtype=np.float32)
a @ a
best = float("inf")
for _ in range(reps):
    start = time.perf_counter()
    a @ a
    best = min(best, time.perf_counter() - start)
libs = sorted({l.split()[-1] for l in open("/proc/self/maps")
               if ".so" in l and "blas" in l.rsplit("/", 1)[-1].lower()})
core = config = None
for lib in libs:
    handle = ctypes.CDLL(lib)
    for prefix, suffix in (("", ""), ("scipy_", "64_"), ("", "64_")):
        try:
            f = getattr(handle, prefix + "openblas_get_corename" + suffix)
            g = getattr(handle, prefix + "openblas_get_config" + suffix)
        except AttributeError:
            continue
        f.restype = g.restype = ctypes.c_char_p
        core, config = f().decode(), g().decode()
        break
print(json.dumps({"gflops": 2 * size ** 3 / best / 1e9, "numpy": np.__version__,
                  "python": sys.executable, "blas": libs, "core": core,
                  "config": config}))
"""


class Roofline:
    """Float32 GEMM rates in GFLOP/s, measured in a process of `python`
    (Debian's by default, falling back to this one) with BLAS held to
    `threads` threads."""

    def __init__(self, threads, python=None, size=2048, reps=5):
        self.threads, self.size, self.reps = threads, size, reps
        candidates = [python] if python else [DEBIAN_PYTHON, sys.executable]
        self.info, self.python = None, None
        for exe in candidates:
            try:
                self.info = self._run(exe)
                self.python = exe
                break
            except (OSError, subprocess.CalledProcessError, ValueError):
                continue
        if self.info is None:
            raise RuntimeError(f"no Python among {candidates} runs a NumPy GEMM")
        self.measurements = [self.info["gflops"]]

    def _run(self, exe):
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(self.threads),
                   OMP_NUM_THREADS=str(self.threads))
        out = subprocess.run([exe, "-c", _GEMM, str(self.size), str(self.reps)],
                             capture_output=True, text=True, check=True, env=env).stdout
        return json.loads(out.strip().splitlines()[-1])

    def measure(self):
        rate = self._run(self.python)["gflops"]
        self.measurements.append(rate)
        return rate

    def describe(self):
        i = self.info
        blas = ", ".join(i["blas"]) or "no BLAS library found in the mappings"
        core = f"; OpenBLAS core {i['core']} ({i['config'].strip()})" if i["core"] else ""
        return (f"float32 GEMM {self.size}^3 best of {self.reps}, NumPy {i['numpy']} "
                f"under {i['python']}, {self.threads} BLAS threads: {blas}{core}")


def torch_mm_gflops(torch, size=2048, reps=5):
    """The same GEMM through torch.mm in this process (PyTorch's own BLAS)."""
    a = torch.randn(size, size)
    torch.mm(a, a)
    best = float("inf")
    for _ in range(reps):
        start = time.perf_counter()
        torch.mm(a, a)
        best = min(best, time.perf_counter() - start)
    return 2 * size ** 3 / best / 1e9


def torch_blas(torch):
    config = torch.__config__.show()
    for line in config.splitlines():
        if "BLAS_INFO=" in line:
            return line.split("BLAS_INFO=", 1)[1].split(",", 1)[0]
    return "unknown"


# --- PyTorch ----------------------------------------------------------------

def import_torch(threads):
    """(torch, major version) or (None, 0)."""
    try:
        import torch
    except ImportError:
        return None, 0
    torch.set_num_threads(threads)
    return torch, int(torch.__version__.split(".")[0])


def ssd_inputs_torch(torch, b, t, h, p, n, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(b, t, h, p, generator=g)
    a = -torch.nn.functional.softplus(torch.randn(b, t, h, generator=g) - 4)
    Bm = torch.randn(b, t, h, n, generator=g)
    Cm = torch.randn(b, t, h, n, generator=g)
    return x, a, Bm, Cm


def torch_chunked_ssd(x, a, B_, C, chunk):
    """Mamba-2's chunked SSD (the 'ssd_minimal' listing) as einsums."""
    import torch
    b, t, h, p = x.shape
    assert t % chunk == 0
    c = t // chunk
    x, a = x.reshape(b, c, chunk, h, p), a.reshape(b, c, chunk, h).permute(0, 3, 1, 2)
    B_, C = B_.reshape(b, c, chunk, h, -1), C.reshape(b, c, chunk, h, -1)
    a_cs = torch.cumsum(a, dim=-1)

    def segsum(v):
        T = v.size(-1)
        v = v[..., None].repeat(*([1] * v.dim()), T)
        mask = torch.tril(torch.ones(T, T, dtype=torch.bool), diagonal=-1)
        v = v.masked_fill(~mask, 0)
        out = torch.cumsum(v, dim=-2)
        mask = torch.tril(torch.ones(T, T, dtype=torch.bool), diagonal=0)
        return out.masked_fill(~mask, -torch.inf)

    L = torch.exp(segsum(a))
    y_diag = torch.einsum("bclhn,bcshn,bhcls,bcshp->bclhp", C, B_, L, x)
    decay_states = torch.exp(a_cs[:, :, :, -1:] - a_cs)
    states = torch.einsum("bclhn,bhcl,bclhp->bchpn", B_, decay_states, x)
    states = torch.cat([torch.zeros_like(states[:, :1]), states], dim=1)
    decay_chunk = torch.exp(segsum(torch.nn.functional.pad(a_cs[:, :, :, -1], (1, 0))))
    new_states = torch.einsum("bhzc,bchpn->bzhpn", decay_chunk, states)
    states = new_states[:, :-1]
    state_decay_out = torch.exp(a_cs)
    y_off = torch.einsum("bclhn,bchpn,bhcl->bclhp", C, states, state_decay_out)
    return (y_diag + y_off).reshape(b, t, h, p)


def torch_chunked(torch, b, t, h, p, n, chunk=64):
    inputs = ssd_inputs_torch(torch, b, t, h, p, n)

    def fn():
        with torch.no_grad():
            torch_chunked_ssd(*inputs, chunk)
    fn()
    return timer(fn)


class Timeout(Exception):
    pass


def torch_compiled_chunked(torch, b, t, h, p, n, chunk=64, budget_s=120.0):
    """torch.compile of the chunked SSD, or a string saying why not: (run,
    compile seconds) or (None, reason). The compile gets `budget_s` seconds
    of wall time (SIGALRM; 0 skips it)."""
    if budget_s <= 0:
        return None, "disabled (--torch-compile-budget=0)"
    if not hasattr(torch, "compile"):
        return None, f"torch {torch.__version__} has no torch.compile"
    inputs = ssd_inputs_torch(torch, b, t, h, p, n)
    compiled = torch.compile(lambda x, a, B_, C: torch_chunked_ssd(x, a, B_, C, chunk))

    def alarm(signum, frame):
        raise Timeout()
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, budget_s)
    start = time.perf_counter()
    try:
        with torch.no_grad():
            compiled(*inputs)
    except Timeout:
        return None, f"compiling took more than {budget_s:.0f} s"
    except Exception as e:  # Inductor needs a C++ compiler and Python's headers.
        return None, f"compile failed: {type(e).__name__}: {str(e).splitlines()[0][:120]}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    seconds = time.perf_counter() - start

    def fn():
        with torch.no_grad():
            compiled(*inputs)
    fn()
    return timer(fn), seconds


def attention_inputs_torch(torch, b, t, h, d, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(b, h, t, d, generator=g) for _ in range(3)]


def torch_masked_softmax(torch, b, t, h, d, scale):
    """Unfused causal softmax attention, as PyTorch 1.13 runs it."""
    q, k, v = attention_inputs_torch(torch, b, t, h, d)
    mask = torch.triu(torch.full((t, t), -torch.inf), 1)

    def fn():
        with torch.no_grad():
            torch.softmax(q @ k.transpose(-1, -2) * scale + mask, -1) @ v
    fn()
    return timer(fn)


def torch_sdpa(torch, b, t, h, d, scale):
    """PyTorch 2.x's fused scaled_dot_product_attention, causal."""
    q, k, v = attention_inputs_torch(torch, b, t, h, d)
    sdpa = torch.nn.functional.scaled_dot_product_attention

    # `scale` is a keyword from PyTorch 2.1 on; pass it only when not 1/sqrt(d).
    kwargs = {} if abs(scale * math.sqrt(d) - 1) < 1e-12 else {"scale": scale}

    def fn():
        with torch.no_grad():
            sdpa(q, k, v, is_causal=True, **kwargs)
    fn()
    return timer(fn)


# --- JAX ------------------------------------------------------------------

def import_jax():
    """jax, or None. CPU only: the bench measures the CPU."""
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    try:
        import jax
    except ImportError:
        return None
    return jax


def ssd_inputs_numpy(b, t, h, p, n, seed=0):
    """Inputs drawn as interact-run --random-inputs draws them (g = 1)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((b, t, h, p), dtype=np.float32)
    z = rng.standard_normal((b, t, h)) - 4
    a = (-np.logaddexp(0, z) * rng.uniform(0.5, 3, (b, t, h))).astype(np.float32)
    Bm = rng.standard_normal((b, t, 1, n), dtype=np.float32)
    Cm = rng.standard_normal((b, t, 1, n), dtype=np.float32)
    return x, a, Bm, Cm


def jax_recurrence_fn(jax):
    """The recurrence of interact.scan with scalar decay and one group:
    per head, S = exp(a_t) S + x_t B_t^T (p x n), y_t = S C_t; returns
    (y, final S)."""
    jnp = jax.numpy

    def layer(x, a, Bm, Cm):
        b, t, h, p = x.shape
        n = Bm.shape[-1]

        def step(S, inputs):
            xt, at, Bt, Ct = inputs             # (b,h,p) (b,h) (b,1,n) (b,1,n)
            S = jnp.exp(at)[:, :, None, None] * S + xt[:, :, :, None] * Bt[:, :, None, :]
            return S, jnp.einsum("bhpn,bn->bhp", S, Ct[:, 0])
        S0 = jnp.zeros((b, h, p, n), x.dtype)
        time_major = [jnp.moveaxis(v, 1, 0) for v in (x, a, Bm, Cm)]
        S, ys = jax.lax.scan(step, S0, time_major)
        return jnp.moveaxis(ys, 0, 1), S
    return jax.jit(layer)


def jax_recurrence(jax, b, t, h, p, n):
    """(run, compile seconds) for the jitted lax.scan recurrence."""
    fn = jax_recurrence_fn(jax)
    inputs = [jax.device_put(v) for v in ssd_inputs_numpy(b, t, h, p, n)]
    start = time.perf_counter()
    jax.block_until_ready(fn(*inputs))
    seconds = time.perf_counter() - start

    def run():
        jax.block_until_ready(fn(*inputs))
    run()
    return timer(run), seconds


def versions():
    """Versions of the peers importable here, for the header of a table."""
    out = {"python": sys.version.split()[0], "numpy": np.__version__}
    for name in ("torch", "jax", "jaxlib"):
        if name in sys.modules:
            out[name] = sys.modules[name].__version__
    return out
