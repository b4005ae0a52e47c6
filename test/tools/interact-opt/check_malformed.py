#!/usr/bin/env python3
"""Runs a tool over every file of a directory of deliberately broken inputs.

Each input names the diagnostic it must produce on a line `// ERROR: <text>`.
The tool must exit with code 1, print `<file>:<line>:<col>: error:` containing
that text, and must not crash (no stack dump, no signal).

usage: check_malformed.py TOOL DIR [TOOL ARGS...]
"""

import pathlib
import re
import subprocess
import sys


def main() -> int:
    tool, directory, extra = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3:]
    files = sorted(directory.glob("*.mlir"))
    if not files:
        print(f"no inputs in {directory}")
        return 1
    failures = 0
    for path in files:
        expected = re.findall(r"^// ERROR: (.*)$", path.read_text(errors="replace"),
                              re.MULTILINE)
        run = subprocess.run([tool, str(path), "-o", "/dev/null", *extra],
                             capture_output=True, text=True, errors="replace",
                             timeout=60)
        problems = []
        if run.returncode != 1:
            problems.append(f"exit code {run.returncode}, expected 1")
        if "Stack dump" in run.stderr or "PLEASE submit" in run.stderr:
            problems.append("crashed")
        located = re.findall(re.escape(str(path)) + r":\d+:\d+: error: (.*)",
                             run.stderr)
        if not located:
            problems.append("no located error")
        if not expected:
            problems.append("input has no '// ERROR:' line")
        for text in expected:
            if not any(text in line for line in located):
                problems.append(f"no error containing {text!r}")
        status = "ok" if not problems else "FAIL: " + "; ".join(problems)
        print(f"{path.name}: {status}")
        if problems:
            print("  stderr: " + run.stderr.strip().replace("\n", "\n  stderr: "))
            failures += 1
    print(f"{len(files) - failures} of {len(files)} malformed inputs rejected cleanly")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
