#!/usr/bin/env python3
"""Runs a command and succeeds only if it exits with the expected code.

usage: expect_exit.py CODE COMMAND [ARGS...]

The command's stdout and stderr are passed through (stderr to stdout, so
that one FileCheck sees both). A crash (a signal) never matches.
"""

import subprocess
import sys


def main() -> int:
    expected = int(sys.argv[1])
    run = subprocess.run(sys.argv[2:], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, errors="replace")
    sys.stdout.write(run.stdout)
    if run.returncode != expected:
        print(f"expect_exit: exit code {run.returncode}, expected {expected}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
