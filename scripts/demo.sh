#!/usr/bin/env bash
#===- demo.sh - Install, build and run interact on the built-in examples ---===#
#
# For each model under examples/: report the structure of its interaction
# operators, then JIT-compile it with interact-cpu-pipeline, run it on seeded
# random inputs, and check every output against the float64 reference.
#
#===----------------------------------------------------------------------===#
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${INTERACT_BUILD_DIR:-$root/build}

mkdir -p "$build"
"$root/scripts/build.sh" > "$build/build.log" 2>&1 || { cat "$build/build.log"; exit 1; }

for example in "$root"/examples/*.mlir; do
  echo "=== $(basename "$example")"
  "$build/bin/interact-opt" "$example" --interact-print-structure \
    --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | grep remark
  "$build/bin/interact-run" "$example" --random-inputs=1 --check \
    --print-pipeline --benchmark=5
  echo
done
