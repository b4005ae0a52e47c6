"""Shared helpers of the benchmarks: MLIR for each form at a shape, and
timing it with interact-run --benchmark (median of repetitions, one process,
the same inputs for every form)."""

import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("INTERACT_BUILD_DIR", os.path.join(ROOT, "build"))
RUN = os.path.join(BUILD, "bin", "interact-run")
OPT = os.path.join(BUILD, "bin", "interact-opt")


# glibc returns freed blocks over its thresholds to the kernel (munmap, heap
# trimming), so a function that allocates megabytes pays page faults on every
# call: up to half of a millisecond-scale run. Serving runtimes keep freed
# memory (caching allocators); every benchmark process here, interact-run and
# the in-process PyTorch baselines alike, runs with glibc told to do the same.
ALLOCATOR_POLICY = "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=4294967295"


def keep_freed_memory():
    """Re-executes this script with ALLOCATOR_POLICY unless it already runs
    with it; subprocesses inherit it."""
    if os.environ.get("GLIBC_TUNABLES") == ALLOCATOR_POLICY:
        return
    env = dict(os.environ, GLIBC_TUNABLES=ALLOCATOR_POLICY)
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


def scan_function(form, b, t, h, p, n, g=1, chunk=64):
    """A function computing one SSD layer (scalar decay) in `form`:
    recurrent, chunked, or attention."""
    x, a, bc = f"tensor<{b}x{t}x{h}x{p}xf32>", f"tensor<{b}x{t}x{h}xf32>", \
        f"tensor<{b}x{t}x{g}x{n}xf32>"
    s = f"tensor<{b}x{h}x{p}x{n}xf32>"
    head = (f"func.func @layer(%x: {x}, %a: {a}, %b: {bc}, %c: {bc}) -> {x} {{\n")
    if form == "recurrent":
        body = (f"  %y, %s = interact.scan %x, %a, %b, %c : {x}, {a}, {bc}, {bc} "
                f"-> {x}, {s}\n")
    elif form == "chunked":
        body = (f"  %y, %s = interact.chunked_scan %x, %a, %b, %c chunk_size {chunk} "
                f": {x}, {a}, {bc}, {bc} -> {x}, {s}\n")
    elif form == "attention":
        body = (f"  %y = interact.attention identity semiseparable %c, %b, %x decay %a "
                f": {bc}, {bc}, {x}, {a} -> {x}\n")
    else:
        raise ValueError(form)
    return head + body + f"  return %y : {x}\n}}\n"


def time_stats(mlir_text, repetitions=3, extra=()):
    """(median, min, max) milliseconds of `repetitions` runs of the only
    function (after a warm-up)."""
    with tempfile.NamedTemporaryFile("w", suffix=".mlir", delete=False) as f:
        f.write(mlir_text)
        path = f.name
    try:
        out = subprocess.run([RUN, path, "--random-inputs=1",
                              f"--benchmark={repetitions}", *extra],
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(path)
    m = re.search(r"median ([0-9.]+) ms, min ([0-9.]+) ms, max ([0-9.]+) ms", out)
    return tuple(float(v) for v in m.groups())


def softmax_attention_function(b, t, h, d, scale):
    """Causal softmax attention over h heads of size d."""
    q = f"tensor<{b}x{t}x{h}x{d}xf32>"
    return (f"func.func @attention(%q: {q}, %k: {q}, %v: {q}) -> {q} {{\n"
            f"  %y = interact.attention softmax causal %q, %k, %v scale {scale} "
            f": {q}, {q}, {q} -> {q}\n  return %y : {q}\n}}\n")


def time_ms(mlir_text, repetitions=3, extra=()):
    """The fewest milliseconds of `repetitions` runs of the only function
    (after a warm-up). The machines are shared: the fastest run is the one
    other tenants disturbed least, a steadier estimate of a form's own cost
    than the median for fitting and comparing forms. (The benchmark table
    reports medians, with min and max.)"""
    return time_stats(mlir_text, repetitions, extra)[1]


def fastest_ms(functions, repetitions=3, rounds=3, extra=()):
    """time_ms of every function of `functions` (name -> MLIR text), the
    least over `rounds` interleaved rounds, each a new process per function:
    a burst of load from other tenants, or an unlucky memory layout of one
    process, then hits one round of every form alike instead of all the
    runs of one form."""
    best = {name: float("inf") for name in functions}
    for _ in range(rounds):
        for name, text in functions.items():
            best[name] = min(best[name], time_ms(text, repetitions, extra))
    return best


def remarks(mlir_text, passes):
    """Remarks interact-opt prints for `mlir_text` under `passes`."""
    with tempfile.NamedTemporaryFile("w", suffix=".mlir", delete=False) as f:
        f.write(mlir_text)
        path = f.name
    try:
        err = subprocess.run([OPT, path, *passes, "-o", "/dev/null",
                              "--mlir-print-op-on-diagnostic=false"],
                             capture_output=True, text=True, check=True).stderr
    finally:
        os.unlink(path)
    return [line.split("remark: ", 1)[1] for line in err.splitlines()
            if "remark: " in line]


def flops(form, b, t, h, p, n, chunk=64):
    """FLOPs by the interface's convention (docs/Rationale.md#cost)."""
    if form == "recurrent":
        return 5.0 * b * h * t * n * p
    if form == "chunked":
        q = min(chunk, t)
        return 2.0 * b * h * t * (q * n + q * p + 2 * n * p)
    return 2.0 * b * h * (t * (t + 1) / 2) * (n + p)
