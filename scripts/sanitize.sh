#!/usr/bin/env bash
#===- sanitize.sh - interact's tools and tests under ASan and UBSan -------===#
#
# Usage: scripts/sanitize.sh [lit test paths, relative to test/ ...]
#
# Builds interact-run and interact-opt with AddressSanitizer and
# UndefinedBehaviorSanitizer into $INTERACT_ASAN_BUILD_DIR (default
# build-asan/) and runs the given lit tests with them (default: the tool
# tests and the CPU integration suite). Exits non-zero on any failure or
# sanitizer report. Two facts about this environment:
#  * LeakSanitizer needs ptrace, which the container does not allow:
#    detect_leaks=0.
#  * libMLIR.so is not instrumented, and LLVM's slab allocator poisoned
#    from instrumented code gives false use-after-poison reports:
#    allow_user_poisoning=0.
#
#===----------------------------------------------------------------------===#
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${INTERACT_ASAN_BUILD_DIR:-$root/build-asan}

"$root/scripts/install-deps.sh"
mkdir -p "$build"
flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cmake -G Ninja -S "$root" -B "$build" \
  -DCMAKE_BUILD_TYPE=Release \
  -DLLVM_USE_LINKER=lld \
  -DINTERACT_ENABLE_ASSERTIONS=ON \
  -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="$flags" \
  > "$build/configure.log" 2>&1 || { cat "$build/configure.log"; exit 1; }
# The tools only: the plugin would be loaded into an uninstrumented mlir-opt.
cmake --build "$build" --target interact-run interact-opt

export ASAN_OPTIONS=detect_leaks=0:allow_user_poisoning=0:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
paths=("$@")
[ ${#paths[@]} -gt 0 ] || paths=(tools/interact-run Integration/CPU)
lit_paths=()
for p in "${paths[@]}"; do lit_paths+=("$build/test/$p"); done
/usr/lib/llvm-22/bin/lit -sv "${lit_paths[@]}"
