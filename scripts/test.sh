#!/usr/bin/env bash
#===- test.sh - Install, build and run every interact test ----------------===#
#
# Runs the lit suite under test/ (regression, integration, docs and the
# GoogleTest unit tests) and ends with a line "N passed, N failed".
# Exits non-zero if the build fails or any test fails.
#
#===----------------------------------------------------------------------===#
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${INTERACT_BUILD_DIR:-$root/build}

"$root/scripts/build.sh"

results=$(mktemp)
trap 'rm -f "$results"' EXIT
status=0
/usr/lib/llvm-22/bin/lit -sv --output "$results" "$build/test" || status=$?

# The closing line CI reads, counted from lit's own JSON report.
python3 - "$results" "$status" <<'PY'
import collections, json, sys
report = json.load(open(sys.argv[1]))
codes = collections.Counter(t["code"] for t in report["tests"])
passed = codes["PASS"] + codes["XFAIL"]
skipped = codes["UNSUPPORTED"]
failed = sum(codes.values()) - passed - skipped
print(f"lit: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or not passed or int(sys.argv[2]) else 0)
PY
