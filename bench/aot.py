#!/usr/bin/python3
"""interact-compile's libraries against interact-run's JIT, on one function.

For each case (the SSD recurrence and chunked form at t = 4096, h = 8,
p = n = 64, and causal softmax attention at t = 4096, h = 8, d = 64; b = 1,
f32) it compiles the function once with interact-compile for the target,
then alternates, for ROUNDS rounds: `interact-run --benchmark=REPS` (the
JIT, min ms of the round) and REPS calls of the library through
python/interact with library-allocated outputs (min ms), both under the
benchmarks' allocator policy (interact_bench.keep_freed_memory). Both run on the
same number of threads, with inputs drawn the same way (decays
-softplus(N(-4, 1)) U(0.5, 3), others N(0, 1)). It prints each case's min
over all rounds and the ratio library / JIT (issue 10 asks for at most
1.10).

usage: bench/aot.py [--target x86-64-v3] [--threads 2] [--rounds 3]
                    [--reps 5] [--cases recurrent,chunked,attention]
"""

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "python"))
import interact  # noqa: E402
import interact_bench as ib  # noqa: E402

BIN = os.path.join(ROOT, "build", "bin")
B, T, H, P, N = 1, 4096, 8, 64, 64


def cases():
    return {
        "recurrent": ib.scan_function("recurrent", B, T, H, P, N),
        "chunked": ib.scan_function("chunked", B, T, H, P, N, chunk=64),
        "attention": ib.softmax_attention_function(B, T, H, P, 1 / P ** 0.5),
    }


def inputs(lib, function, rng):
    """Arrays for every argument of `function`, drawn as interact-run's
    --random-inputs draws them."""
    arrays = []
    signature = next(f for f in lib.signature["functions"]
                     if f["name"] == function)
    for arg in signature["arguments"]:
        shape = tuple(arg["shape"])
        if arg["name"] == "a":
            z = rng.standard_normal(shape) - 4.0
            value = -np.log1p(np.exp(z)) * rng.uniform(0.5, 3.0, shape)
        else:
            value = rng.standard_normal(shape)
        arrays.append(value.astype(np.float32))
    return arrays


def jit_ms(path, target, threads, reps):
    out = subprocess.run(
        [os.path.join(BIN, "interact-run"), path, "--random-inputs=1",
         f"--benchmark={reps}", f"--target={target}",
         f"--num-threads={threads}"],
        capture_output=True, text=True, check=True).stdout
    return float(re.search(r"min ([0-9.]+) ms", out).group(1))


def library_ms(lib, function, args, threads, reps):
    call = getattr(lib, function)
    call(*args, num_threads=threads)  # warm-up
    best = float("inf")
    for _ in range(reps):
        start = time.perf_counter()
        call(*args, num_threads=threads)
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def main():
    # The JIT runs under the benchmarks' allocator policy; so do the calls.
    ib.keep_freed_memory()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target", default="x86-64-v3")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--cases", default="recurrent,chunked,attention")
    args = parser.parse_args()
    flags = open("/proc/cpuinfo").read()
    print(f"CPU: {platform.processor() or 'x86-64'}; avx2 "
          f"{'yes' if ' avx2' in flags else 'no'}, avx512f "
          f"{'yes' if ' avx512f' in flags else 'no'}; {os.cpu_count()} cores; "
          f"target {args.target}, {args.threads} threads, {args.rounds} "
          f"interleaved rounds of {args.reps} runs")
    rng = np.random.default_rng(1)
    work = tempfile.mkdtemp(prefix="interact-aot-bench-")
    rows = []
    for name in args.cases.split(","):
        text = cases()[name]
        path = os.path.join(work, f"{name}.mlir")
        with open(path, "w") as f:
            f.write(text)
        library = os.path.join(work, name, f"lib{name}.so")
        start = time.time()
        subprocess.run([os.path.join(BIN, "interact-compile"), path,
                        f"--target={args.target}", "-o", library], check=True)
        compile_s = time.time() - start
        lib = interact.load(library)
        function = lib.functions[0]
        values = inputs(lib, function, rng)
        jit, aot = float("inf"), float("inf")
        for _ in range(args.rounds):
            jit = min(jit, jit_ms(path, args.target, args.threads, args.reps))
            aot = min(aot, library_ms(lib, function, values, args.threads,
                                      args.reps))
        rows.append((name, jit, aot, compile_s))
    print(f"{'case':12s} {'JIT ms':>9s} {'library ms':>11s} {'ratio':>6s} "
          f"{'compile s':>10s}")
    for name, jit, aot, compile_s in rows:
        print(f"{name:12s} {jit:9.2f} {aot:11.2f} {aot / jit:6.2f} "
              f"{compile_s:10.2f}")


if __name__ == "__main__":
    main()
