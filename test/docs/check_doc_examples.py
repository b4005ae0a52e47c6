#!/usr/bin/env python3
"""Parses and verifies every complete `mlir` example of the docs.

A fenced ```mlir block that holds a `func.func` is a complete example; it is
run through the tool, which must accept it. Fragments are skipped.

usage: check_doc_examples.py TOOL DOCS_DIR
"""

import pathlib
import re
import subprocess
import sys


def main() -> int:
    tool, docs = sys.argv[1], pathlib.Path(sys.argv[2])
    checked = failed = 0
    for page in sorted(docs.glob("*.md")):
        text = page.read_text()
        for match in re.finditer(r"```mlir\n(.*?)```", text, re.DOTALL):
            block = match.group(1)
            if "func.func" not in block:
                continue
            line = text.count("\n", 0, match.start()) + 2
            run = subprocess.run([tool, "-", "-o", "/dev/null"], input=block,
                                 capture_output=True, text=True, timeout=60)
            checked += 1
            if run.returncode != 0:
                failed += 1
                print(f"{page.name}:{line}: example does not verify:\n{run.stderr}")
    print(f"{checked - failed} of {checked} doc examples verify")
    return 1 if failed or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
