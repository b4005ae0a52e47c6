#!/usr/bin/env python3
"""Runs the shell commands of one section of a docs page.

Every ```sh block in the section of PAGE whose `## ` heading starts with
HEADING (up to the next `## ` heading) is split into commands (a line, with its `\\` continuations); each
runs in WORKDIR under bash with pipefail, after a line `$ COMMAND`, its
output and errors going to stdout. The first command that fails stops the
run with its exit status, so the tests run exactly what the page says.

usage: run_doc_commands.py PAGE HEADING WORKDIR
"""

import pathlib
import re
import subprocess
import sys


def section(text: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}[^\n]*\n(.*?)(?=^## |\Z)", text,
                      re.DOTALL | re.MULTILINE)
    if not match:
        sys.exit(f"run_doc_commands.py: no section '## {heading}...'")
    return match.group(1)


def commands(body: str) -> list:
    result = []
    for block in re.findall(r"```sh\n(.*?)```", body, re.DOTALL):
        command = ""
        for line in block.splitlines():
            command += line
            if line.endswith("\\"):
                command = command[:-1] + " "
                continue
            if command.strip() and not command.lstrip().startswith("#"):
                result.append(command.strip())
            command = ""
    return result


def main() -> int:
    page, heading, workdir = sys.argv[1], sys.argv[2], sys.argv[3]
    todo = commands(section(pathlib.Path(page).read_text(), heading))
    if not todo:
        sys.exit(f"run_doc_commands.py: no commands under '## {heading}...'")
    for command in todo:
        print("$ " + " ".join(command.split()), flush=True)
        run = subprocess.run(["bash", "-o", "pipefail", "-c", command],
                             cwd=workdir, stderr=subprocess.STDOUT)
        if run.returncode != 0:
            print(f"run_doc_commands.py: exit code {run.returncode}", flush=True)
            return run.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
