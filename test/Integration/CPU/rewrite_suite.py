#!/usr/bin/env python3
"""Runs every rewrite over every case of the CPU integration suite.

usage: rewrite_suite.py INTERACT_OPT INTERACT_RUN [--target=NAME] FILE...

A case is a RUN line of FILE of the form `interact-run %s
[--target=%{target}] --function=F ARGS --check`; every run is for NAME, or
the host without --target. For each case and each rewrite pipeline below, the function is
rewritten with interact-opt; where the rewrite applies (the function's
interact ops change), the rewritten function runs on the same seeded inputs
and is checked against the float64 reference of the original function
(--reference-from). Prints one line per applied pair and a summary.
"""

import re
import shlex
import subprocess
import sys

PIPELINES = [
    ["--interact-scan-to-attention"],
    ["--interact-split-decay-classes", "--interact-scan-to-attention"],
    ["--interact-attention-to-scan"],
    ["--interact-to-chunked=chunk-size=16"],
    ["--interact-to-chunked=chunk-size=24"],
    ["--interact-select-form=seq-len=32"],
    ["--interact-scan-to-attention", "--interact-attention-to-scan"],
    ["--interact-attention-to-scan", "--interact-scan-to-attention"],
]


def function_ops(text, name):
    """The interact ops of function @name, in order."""
    start = text.find("func.func @" + name + "(")
    if start < 0:
        return []
    end = text.find("func.func @", start + 1)
    body = text[start:end if end >= 0 else len(text)]
    return re.findall(r"interact\.(\w+)", body) + \
        [m for m in re.findall(r"chunk_size (\d+)", body)]


def main():
    opt, run = sys.argv[1], sys.argv[2]
    target_flags = [a for a in sys.argv[3:] if a.startswith("--target=")]
    files = [a for a in sys.argv[3:] if not a.startswith("--")]
    applied = failed = 0
    for path in files:
        source = open(path).read()
        cases = re.findall(r"^// RUN: interact-run %s (?:--target=%\{target\} )?"
                           r"(--function=(\w+)[^|]*?--check)",
                           source, re.MULTILINE)
        for args, name in cases:
            args = [a for a in shlex.split(args)]
            before = function_ops(source, name)
            for pipeline in PIPELINES:
                rewritten = subprocess.run([opt, path, *target_flags, *pipeline],
                                       capture_output=True, text=True)
                if rewritten.returncode != 0:
                    print(f"FAIL {path}:{name} {' '.join(pipeline)}: interact-opt failed\n"
                          f"{rewritten.stderr}")
                    failed += 1
                    continue
                if function_ops(rewritten.stdout, name) == before:
                    continue
                applied += 1
                result = subprocess.run([run, "-", *target_flags, *args,
                                         f"--reference-from={path}"],
                                        input=rewritten.stdout, capture_output=True,
                                        text=True)
                ok = result.returncode == 0 and "check: PASSED" in result.stdout
                short = path.rsplit("/", 1)[-1]
                print(f"{'ok' if ok else 'FAIL'} {short} {' '.join(args[:1] + args[2:3])} "
                      f"| {' '.join(pipeline)}")
                if not ok:
                    failed += 1
                    print(result.stdout + result.stderr)
    print(f"rewrite suite: {applied - failed} of {applied} rewritten cases match "
          f"the reference of the original")
    return 1 if failed or not applied else 0


if __name__ == "__main__":
    sys.exit(main())
