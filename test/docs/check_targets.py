"""Checks docs/Targets.md's table against the JSON rows of the target table."""

import json
import pathlib
import sys

page, rows = pathlib.Path(sys.argv[1]).read_text(), pathlib.Path(sys.argv[2])
failed = 0
for path in sorted(rows.glob("*.json")):
    row = json.loads(path.read_text())
    line = (f"| `{row['name']}` | {row['kind']} | {row['vector_bits']} | "
            f"{row['vector_registers']} |")
    if line not in page:
        print(f"docs/Targets.md has no table line starting {line!r} ({path.name})")
        failed += 1
print(f"{len(list(rows.glob('*.json'))) - failed} target rows documented")
sys.exit(1 if failed else 0)
