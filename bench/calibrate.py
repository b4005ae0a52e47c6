#!/usr/bin/python3
"""Fits one target's cost model for interact-select-form to measurements.

For each form (recurrent, chunked, attention) and state size n in 16, 64,
128 (the vector code's speed depends on n) it times interact-run on a set
of SSD-layer shapes and fits, by non-negative least squares,

    time_us = call_us + FLOPs / (GFLOPs * 1e3) + steps * step_us

minimizing relative error, with steps = t (recurrent), ceil(t / Q)
(chunked), 0 (attention). It prints the fitted constants and the fit's worst
relative error, and writes them as the `cost_model` of the target's row,
lib/Target/targets/NAME.json, which the build embeds (docs/Targets.md). Every
interact-run call compiles for that target (--target=NAME), so run it on a
machine that executes the target: an AVX-512 machine calibrates both x86-64
levels.

usage: bench/calibrate.py --target NAME [--quick] [--dry-run]
"""

import argparse
import datetime
import json
import math
import os
import platform
import sys

import numpy as np

import interact_bench as ib

H, P, B = 8, 64, 1
TARGET_ARGS = []


def shapes(form, quick):
    ts = {"recurrent": [1, 16, 64, 256, 1024, 4096, 16384],
          "chunked": [16, 64, 256, 1024, 4096, 16384],
          "attention": [1, 16, 64, 256]}[form]
    ns = [16, 64, 128]
    qs = [32, 64, 128] if form == "chunked" else [0]
    if quick:
        ts = ts[:2]
    for t in ts:
        for n in ns:
            for q in qs:
                # A chunk longer than the sequence is padded: the selector
                # never needs it (a shorter chunk size is always a candidate).
                if q <= t:
                    yield t, n, q


def steps(form, t, q):
    return t if form == "recurrent" else math.ceil(t / q) if form == "chunked" else 0


def fit(form, quick, only_n):
    rows, times = [], []
    for t, n, q in shapes(form, quick):
        if n != only_n:
            continue
        # Microsecond runs need many repetitions for a steady minimum.
        reps = 51 if t <= 64 else 7 if t <= 1024 else 3
        text = ib.scan_function(form, B, t, H, P, n, chunk=q or 64)
        ms = ib.fastest_ms({form: text}, reps, rounds=3, extra=TARGET_ARGS)[form]
        f = ib.flops(form, B, t, H, P, n, chunk=q or 64)
        rows.append([1.0, f / 1e3, steps(form, t, q)])
        times.append(ms * 1e3)
        print(f"  {form:9s} t={t:5d} n={n:3d} Q={q:3d}: {ms:9.3f} ms "
              f"({f / ms / 1e6:.2f} GFLOP/s)", flush=True)
    A, y = np.array(rows), np.array(times)
    if form == "attention":
        A = A[:, :2]
    # Relative errors matter (a choice compares times that differ by orders of
    # magnitude across shapes): weight every row by 1 / its time.
    A, y = A / y[:, None], np.ones_like(y)
    # Non-negative least squares by active set on this tiny system.
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    while (coef < 0).any():
        keep = coef >= 0
        sub = np.linalg.lstsq(A[:, keep], y, rcond=None)[0]
        coef = np.zeros(A.shape[1])
        coef[keep] = sub
    predicted = A @ coef
    worst = np.max(np.abs(predicted - y))
    call_us, inv_gflops = coef[0], coef[1]
    step_us = coef[2] if len(coef) > 2 else 0.0
    gflops = 1.0 / inv_gflops if inv_gflops > 0 else float("inf")
    print(f"{form} n={only_n}: call {call_us:.1f} us, {gflops:.3f} GFLOP/s, "
          f"step {step_us:.3f} us; worst fit error {100 * worst:.1f}%")
    return call_us, gflops, step_us


def copy_bandwidth():
    """GB/s of a large copy (read + write counted), the best of five."""
    import time
    src = np.ones(64 << 20, np.float32)
    dst = np.empty_like(src)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - start)
    return 2 * src.nbytes / best / 1e9


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def row_path(target):
    return os.path.join(ib.ROOT, "lib", "Target", "targets", target + ".json")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target", required=True,
                        help="the table row to calibrate (x86-64-v3, x86-64-v4)")
    parser.add_argument("--quick", action="store_true",
                        help="two lengths per form: a smoke test, not a model")
    parser.add_argument("--forms", default="recurrent,chunked,attention",
                        help="comma-separated forms to refit; the row keeps "
                             "the others' constants")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the row instead of writing it")
    args = parser.parse_args()
    path = row_path(args.target)
    if not os.path.exists(path):
        sys.exit(f"calibrate.py: no row {path}: add the target's row first "
                 "(docs/Targets.md)")
    TARGET_ARGS.append(f"--target={args.target}")
    forms = ("recurrent", "chunked", "attention")
    refit = args.forms.split(",")
    if not set(refit) <= set(forms):
        sys.exit(f"calibrate.py: --forms takes {', '.join(forms)}")
    ns = (16, 64, 128)
    with open(path) as f:
        row = json.load(f)
    kept = {(form, size["n"]): (size[form]["call_us"], size[form]["gflops"],
                                size[form]["step_us"])
            for size in row["cost_model"]["state_sizes"] for form in forms}
    fitted = {(form, n): fit(form, args.quick, n) if form in refit
              else kept[(form, n)] for form in forms for n in ns}
    bandwidth = copy_bandwidth()
    print(f"copy bandwidth: {bandwidth:.1f} GB/s")
    cores = os.cpu_count() or 1
    model = {
        "calibration": f"interact-cpu-pipeline on {cpu_model()}, {cores} cores, "
                       f"{datetime.date.today().isoformat()}"
                       + (" (--quick: not a model)" if args.quick else ""),
        "bandwidth_gbs": round(bandwidth, 1),
        "state_sizes": [
            dict({"n": n}, **{
                form: {"call_us": round(fitted[(form, n)][0], 2),
                       "gflops": float(f"{fitted[(form, n)][1]:.4g}"),
                       "step_us": float(f"{fitted[(form, n)][2]:.4g}")}
                for form in forms})
            for n in ns],
    }
    row["cost_model"] = model
    text = json.dumps(row, indent=2) + "\n"
    if args.dry_run:
        print(text)
        return
    with open(path, "w") as f:
        f.write(text)
    print(f"wrote the cost model of {args.target} to {path}; rebuild to embed it")


if __name__ == "__main__":
    ib.keep_freed_memory()
    main()
