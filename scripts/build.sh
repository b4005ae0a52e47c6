#!/usr/bin/env bash
#===- build.sh - Install dependencies, configure and build interact -------===#
#
# Usage: scripts/build.sh [extra cmake args...]
# The build directory is $INTERACT_BUILD_DIR (default: build/ in the repo).
# Assertions in interact's own code are on unless INTERACT_ENABLE_ASSERTIONS=OFF.
#
#===----------------------------------------------------------------------===#
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${INTERACT_BUILD_DIR:-$root/build}

"$root/scripts/install-deps.sh"
mkdir -p "$build"
cmake -G Ninja -S "$root" -B "$build" \
  -DCMAKE_BUILD_TYPE=Release \
  -DLLVM_USE_LINKER=lld \
  -DINTERACT_ENABLE_ASSERTIONS="${INTERACT_ENABLE_ASSERTIONS:-ON}" \
  "$@" > "$build/configure.log" 2>&1 || { cat "$build/configure.log"; exit 1; }
cmake --build "$build"
