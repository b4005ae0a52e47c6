#!/usr/bin/env python3
"""Compile time of every op variant over head and state sizes.

usage: compile_sweep.py [--quick] [--grid] [--timeout=S] [--bound=S]
                        [--fail-fast] [--tool=INTERACT_RUN] [--sizes=1,3,...]
                        [--target=NAME]

For each variant (the scan with scalar and with diagonal decay, the chunked
scan with both at chunk size 64, and attention with the identity and the
softmax kernel under the none, causal and semiseparable masks) and each head
size p and state (or key) size n, this writes a function with h = 2 heads and
dynamic b and t (and s), and times interact-run compiling it to machine code
and running it once at b = t = s = 1 (--random-inputs=1). interact-run has no
compile-only flag, and the JIT compiles the function when it is looked up to
run, so this is the cheapest full compile: the MLIR pipeline (its share is
"mlir passes", wall seconds from --mlir-timing), the LLVM back end, and a
run of one step. The time is the CPU time (user + system) of the process.

By default p = n over the sizes; --grid takes every pair (p, n); --quick a
subset that covers head sizes off multiples of 16 for every variant. Each
case gets --timeout seconds of wall time (default 120); a case that takes
more CPU seconds than --bound (default: no bound), times out or fails to
compile is reported, and the script then exits 1. --fail-fast stops at the
first such case.

This is a benchmark; test/Integration/CPU/compile-time.test runs --quick
with a generous bound so that a compile-time regression fails loudly.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

SIZES = [1, 3, 17, 33, 65, 100, 128, 256, 512]
QUICK = [(3, 3), (17, 17), (100, 100), (33, 65)]
H = 2
CHUNK = 64
# Element type of every operand (--dtype): f32, f16 or bf16.
ELEMENT = "f32"

VARIANTS = ["scan scalar", "scan diagonal", "chunked scalar", "chunked diagonal"] + \
    [f"attention {k} {m}" for k in ("identity", "softmax")
     for m in ("none", "causal", "semiseparable")]


def tensor(*dims):
    return "tensor<" + "x".join(str(d) for d in dims) + f"x{ELEMENT}>"


def function(variant, p, n):
    """MLIR text of one function @f for `variant` at head size p, state (or
    key) size n, h = 2, dynamic b and t."""
    words = variant.split()
    if words[0] in ("scan", "chunked"):
        x = tensor("?", "?", H, p)
        a = tensor("?", "?", H, *([n] if words[1] == "diagonal" else []))
        bc = tensor("?", "?", 1, n)
        s = tensor("?", H, p, n)
        op = "interact.scan" if words[0] == "scan" else "interact.chunked_scan"
        chunk = f" chunk_size {CHUNK}" if words[0] == "chunked" else ""
        return (f"func.func @f(%x: {x}, %a: {a}, %b: {bc}, %c: {bc})\n"
                f"    -> ({x}, {s}) {{\n"
                f"  %y, %s = {op} %x, %a, %b, %c{chunk}\n"
                f"      : {x}, {a}, {bc}, {bc} -> {x}, {s}\n"
                f"  return %y, %s : {x}, {s}\n}}\n")
    kernel, mask = words[1], words[2]
    q, k = tensor("?", "?", H, n), tensor("?", "?", H, n)
    v, y = tensor("?", "?", H, p), tensor("?", "?", H, p)
    a = tensor("?", "?", H)
    semi = mask == "semiseparable"
    args = f"%q: {q}, %k: {k}, %v: {v}" + (f", %a: {a}" if semi else "")
    types = f"{q}, {k}, {v}" + (f", {a}" if semi else "")
    decay = " decay %a" if semi else ""
    return (f"func.func @f({args}) -> {y} {{\n"
            f"  %y = interact.attention {kernel} {mask} %q, %k, %v{decay} scale 0.5\n"
            f"      : {types} -> {y}\n"
            f"  return %y : {y}\n}}\n")


TARGET_ARGS = []


def compile_once(tool, path, timeout):
    """(status, cpu seconds, mlir seconds, message) of one interact-run."""
    cmd = [tool, path, *TARGET_ARGS, "--function=f", "--random-inputs=1", "--dim=b=1", "--dim=t=1",
           "--dim=s=1", "--num-threads=1", "--mlir-timing"]
    start = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        status = "ok" if proc.returncode == 0 else "failed"
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        status = "timeout"
    wall = time.time() - start
    mlir = None
    total = re.search(r"^\s*([0-9.]+) \(100\.0%\)\s+Total", err, re.MULTILINE)
    if total:
        mlir = float(total.group(1))
    message = ""
    if status == "failed":
        if proc.returncode < 0 or "Stack dump" in err:
            status = "crashed"
        message = first_error(err)
    return status, wall, mlir, message


def first_error(stderr):
    """What went wrong, from interact-run's stderr: the first line that is
    not part of a crash report, else the first frame of the stack dump past
    the signal handler."""
    lines = [l.strip() for l in stderr.splitlines() if l.strip()]
    for line in lines:
        if not re.match(r"#\d|Stack dump|PLEASE|\d+\.\s", line):
            return line[:200]
    for line in lines:
        frame = re.match(r"#\d+ 0x[0-9a-f]+ (.*?)(?: \(/.*\))?$", line)
        if frame and "::" in frame.group(1) and "llvm::sys::" not in frame.group(1):
            return "in " + frame.group(1)[:200]
    return "(no message)"


def cpu_of(fn, *args):
    """Runs fn(*args) and adds the CPU seconds its child processes used."""
    before = os.times()
    result = fn(*args)
    after = os.times()
    cpu = (after.children_user - before.children_user) + \
        (after.children_system - before.children_system)
    return result, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a subset: (p, n) in " + str(QUICK))
    parser.add_argument("--grid", action="store_true", help="every pair (p, n)")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--variants", default=None,
                        help="comma-separated substrings of variant names")
    parser.add_argument("--timeout", type=float, default=120,
                        help="wall seconds per case (default 120)")
    parser.add_argument("--bound", type=float, default=None,
                        help="fail a case that takes more CPU seconds")
    parser.add_argument("--fail-fast", action="store_true")
    parser.add_argument("--dtype", default="f32", choices=["f32", "f16", "bf16"],
                        help="element type of every operand")
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--tool", default=os.path.join(here, "..", "build", "bin",
                                                       "interact-run"))
    parser.add_argument("--target", default=None,
                        help="compile for this target (interact-run --target)")
    args = parser.parse_args()
    if args.target:
        TARGET_ARGS.append(f"--target={args.target}")

    global ELEMENT
    ELEMENT = args.dtype
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.quick:
        pairs = QUICK
    elif args.grid:
        pairs = [(p, n) for p in sizes for n in sizes]
    else:
        pairs = [(s, s) for s in sizes]
    variants = VARIANTS
    if args.variants:
        wanted = args.variants.split(",")
        variants = [v for v in VARIANTS if any(w in v for w in wanted)]

    print(f"# {args.tool}: --random-inputs=1 --dim=b=1 --dim=t=1 --dim=s=1, h = {H}, "
          f"{ELEMENT}, chunk {CHUNK}; CPU seconds of interact-run (and wall seconds of its MLIR passes), timeout {args.timeout:g} s"
          + (f", bound {args.bound:g} s" if args.bound else ""), flush=True)
    results = {}
    bad = []
    slowest = None
    start = time.time()
    with tempfile.TemporaryDirectory() as work:
        for variant in variants:
            for p, n in pairs:
                path = os.path.join(work, f"{variant.replace(' ', '_')}_{p}_{n}.mlir")
                with open(path, "w") as f:
                    f.write(function(variant, p, n))
                (status, wall, mlir, message), cpu = cpu_of(
                    compile_once, args.tool, path, args.timeout)
                results[variant, p, n] = (status, cpu, mlir)
                line = f"{variant:32} p={p:<4} n={n:<4} {status:8} cpu {cpu:7.2f} s " \
                    f"wall {wall:7.2f} s" + (f" mlir passes {mlir:6.2f} s wall" if mlir else "")
                if message:
                    line += " " + message
                over = status != "ok" or (args.bound is not None and cpu > args.bound)
                if over:
                    line += "  <-- " + ("over bound" if status == "ok" else status)
                    bad.append((variant, p, n, "over bound" if status == "ok" else status, cpu))
                print(line, flush=True)
                if status == "ok" and (slowest is None or cpu > slowest[0]):
                    slowest = (cpu, variant, p, n)
                if status == "timeout" and (slowest is None or slowest[0] != float("inf")):
                    slowest = (float("inf"), variant, p, n)
                if over and args.fail_fast:
                    break
            if bad and args.fail_fast:
                break

    # The table: a row per variant, a column per (p, n).
    print()
    head = "variant".ljust(34) + "".join(f"{p}x{n}".rjust(10) for p, n in pairs)
    print(head)
    for variant in variants:
        cells = []
        for p, n in pairs:
            r = results.get((variant, p, n))
            if r is None:
                cells.append("-")
            elif r[0] == "ok":
                cells.append(f"{r[1]:.2f}")
            else:
                cells.append(r[0] if r[0] != "timeout" else f">{args.timeout:g}")
        print(variant.ljust(34) + "".join(c.rjust(10) for c in cells))
    print()
    if slowest:
        cpu, variant, p, n = slowest
        shown = f"over {args.timeout:g} s (timeout)" if cpu == float("inf") else f"{cpu:.2f} s"
        print(f"slowest: {variant} p={p} n={n}: {shown}")
    print(f"# {len(results)} cases in {time.time() - start:.0f} s")
    if bad:
        print(f"compile sweep: FAIL: {len(bad)} of {len(results)} cases "
              + ("over the bound, timed out or failed" if args.bound else
                 "timed out or failed") + ": "
              + "; ".join(f"{v} p={p} n={n} {s} ({c:.1f} s)" for v, p, n, s, c in bad))
        return 1
    print(f"compile sweep: all {len(results)} cases compile"
          + (f" within {args.bound:g} s" if args.bound else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
