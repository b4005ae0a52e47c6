#!/usr/bin/env bash
#===- gpu-build.sh - Build the folder the GPU check runs from --------------===#
#
# Usage: scripts/gpu-build.sh [--cpu-only] [--compiler PATH] [OUT_DIR]
#
# Builds OUT_DIR (default build/gpu-dist), everything a machine with an
# NVIDIA GPU, Python, NumPy and PyTorch (no MLIR, no network) needs to run
# scripts/gpu-check.sh:
#   lib/libcases_sm90.so, lib/libcases_sm80.so  bench/gpu/cases.mlir compiled
#                        by interact-compile --target=sm_90 / sm_80
#   lib/libcases_cpu.so  the same for x86-64-v3 (with libomp.so.5), for
#                        gpu_check.py --device cpu, the harness's self-check
#   python/interact  bench/gpu_check.py  bench/gpu/cases.mlir
#   scripts/gpu-check.sh  README  BUILD_INFO
# and checks that the folder stays under 64 MiB (what a device run carries).
#
# --cpu-only builds the CPU library alone (for a self-check where no CUDA
# toolkit is installed). --compiler names interact-compile
# (default build/bin/interact-compile). Nothing is rebuilt here: run
# scripts/build.sh first.
#
#===----------------------------------------------------------------------===#
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
compiler=$root/build/bin/interact-compile
cpu_only=0
out=
while [ $# -gt 0 ]; do
  case $1 in
    --cpu-only) cpu_only=1 ;;
    --compiler) compiler=$2; shift ;;
    --compiler=*) compiler=${1#--compiler=} ;;
    -h|--help) sed -n '3,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "gpu-build.sh: unknown option $1" >&2; exit 2 ;;
    *) [ -z "$out" ] || { echo "gpu-build.sh: one OUT_DIR only" >&2; exit 2; }
       out=$1 ;;
  esac
  shift
done
out=${out:-$root/build/gpu-dist}
limit=$((64 * 1024 * 1024))
cases=$root/bench/gpu/cases.mlir

[ -x "$compiler" ] || { echo "gpu-build.sh: no interact-compile at $compiler (run scripts/build.sh)" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out/lib" "$out/bench/gpu" "$out/scripts" "$out/python"

compile() { # TARGET LIBRARY
  local log
  if ! log=$("$compiler" "$cases" --target="$1" -o "$out/lib/$2" 2>&1); then
    echo "$log" >&2
    return 1
  fi
}

echo "interact-compile --target=x86-64-v3 -> lib/libcases_cpu.so"
compile x86-64-v3 libcases_cpu.so
if [ "$cpu_only" = 0 ]; then
  for target in sm_90 sm_80; do
    library=libcases_${target/_/}.so
    echo "interact-compile --target=$target -> lib/$library"
    if ! compile "$target" "$library"; then
      cat >&2 <<MSG
gpu-build.sh: interact-compile cannot make a GPU library for $target (see
its message above). Until it can, build the CPU self-check alone:
  scripts/gpu-build.sh --cpu-only${out:+ $out}
MSG
      rm -rf "$out"
      exit 1
    fi
  done
fi

cp -r "$root/python/interact" "$out/python/"
find "$out/python" -name __pycache__ -prune -exec rm -rf {} +
cp "$root/bench/gpu_check.py" "$out/bench/"
cp "$cases" "$out/bench/gpu/"
cp "$root/scripts/gpu-check.sh" "$out/scripts/"
{
  echo "commit: $(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet HEAD 2>/dev/null || echo ' (with local changes)')"
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n)"
  echo "libraries: $(cd "$out/lib" && ls ./*.so | tr '\n' ' ')"
  [ "$cpu_only" = 0 ] || echo "cpu-only: no GPU libraries in this folder"
} > "$out/BUILD_INFO"
cat > "$out/README" <<'MSG'
interact's GPU check: run scripts/gpu-check.sh here on a machine with an NVIDIA GPU (sm_80 or sm_90), Python 3, NumPy and PyTorch; it prints PASS/FAIL per case, then a benchmark table, and writes gpu-check.log. scripts/gpu-check.sh --device cpu runs the same cases on lib/libcases_cpu.so (x86-64-v3). See BUILD_INFO for what was built from which commit.
MSG

bytes=$(du -sb "$out" | cut -f1)
echo "$out: $(du -sh "$out" | cut -f1) ($bytes bytes)"
(cd "$out" && find . -type f | sort | sed 's/^\.\//  /')
if [ "$bytes" -ge "$limit" ]; then
  echo "gpu-build.sh: $out is $bytes bytes, over the 64 MiB a device run carries" >&2
  exit 1
fi
