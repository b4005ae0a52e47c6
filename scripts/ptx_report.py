#!/usr/bin/env python3
"""Reports what ptxas says of every PTX object in a lowered MLIR file.

usage: ptx_report.py FILE [--ptxas PATH] [--max-regs N] [--no-spills]

FILE is the output of interact-gpu-pipeline (or gpu-module-to-binary) with
format=isa: its gpu.binary objects hold PTX text for a chip. Each is
assembled with `ptxas -arch CHIP -v`, and one line per kernel is printed:

    vadd sm_90 regs=12 spill_stores=0 spill_loads=0 stack=0 smem=0 barriers=0

The exit status is 1 when ptxas fails, or a kernel spills (--no-spills) or
uses more than N registers (--max-regs): the limits docs/GPU.md sets and
the lit tests check.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile


def unescape(text):
    """MLIR prints non-printable bytes of a string attribute as \\XX."""
    return re.sub(rb"\\([0-9A-Fa-f]{2})",
                  lambda m: bytes([int(m.group(1), 16)]),
                  text.encode("latin-1")).decode("latin-1")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mlir")
    parser.add_argument("--ptxas", default="ptxas")
    parser.add_argument("--max-regs", type=int)
    parser.add_argument("--no-spills", action="store_true")
    args = parser.parse_args()
    source = open(args.mlir).read()
    bad = False
    objects = re.finditer(
        r'#gpu\.object<#nvvm\.target<[^>]*chip = "(\w+)"[^>]*>.*?'
        r'assembly = "((?:[^"\\]|\\.)*)"', source, re.S)
    for match in objects:
        chip, ptx = match.group(1), unescape(match.group(2))
        with tempfile.TemporaryDirectory() as work:
            path = os.path.join(work, "kernels.ptx")
            with open(path, "w") as f:
                f.write(ptx)
            run = subprocess.run(
                [args.ptxas, "-arch", chip, "-v", path, "-o",
                 os.path.join(work, "kernels.cubin")],
                capture_output=True, text=True)
        log = run.stdout + run.stderr
        if run.returncode:
            print(log, file=sys.stderr)
            bad = True
            continue
        for block in re.split(r"ptxas info\s+: Compiling entry function ",
                              log)[1:]:
            name = re.match(r"'([^']+)'", block).group(1)

            def number(pattern):
                found = re.search(pattern, block)
                return int(found.group(1)) if found else 0

            stats = dict(regs=number(r"Used (\d+) registers"),
                         spill_stores=number(r"(\d+) bytes spill stores"),
                         spill_loads=number(r"(\d+) bytes spill loads"),
                         stack=number(r"(\d+) bytes stack frame"),
                         smem=number(r"(\d+) bytes smem"),
                         barriers=number(r"used (\d+) barriers"))
            print(name, chip, " ".join(f"{k}={v}" for k, v in stats.items()))
            if args.no_spills and (stats["spill_stores"] or
                                   stats["spill_loads"]):
                bad = True
            if args.max_regs is not None and stats["regs"] > args.max_regs:
                bad = True
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
