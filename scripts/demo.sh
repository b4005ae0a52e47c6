#!/usr/bin/env bash
#===- demo.sh - Install, build and run interact on the built-in examples ---===#
#
# For each model under examples/: interact-opt parses and verifies it, prints
# the IR, and reports each interaction operator's structure and cost.
#
#===----------------------------------------------------------------------===#
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${INTERACT_BUILD_DIR:-$root/build}

"$root/scripts/build.sh" > "$build.build.log" 2>&1 || { cat "$build.build.log"; exit 1; }

for example in "$root"/examples/*.mlir; do
  echo "=== $(basename "$example"): parsed and verified by interact-opt"
  "$build/bin/interact-opt" "$example"
  echo "=== $(basename "$example"): structure of its interaction operators"
  "$build/bin/interact-opt" "$example" --interact-print-structure \
    --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | grep remark
  echo
done
