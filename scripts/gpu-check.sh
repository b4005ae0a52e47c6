#!/usr/bin/env bash
#===- gpu-check.sh - Run the GPU check on a machine with an NVIDIA GPU -----===#
#
# Usage: scripts/gpu-check.sh [DIST_DIR] [gpu_check.py options...]
#
# Runs bench/gpu_check.py --device cuda from the folder scripts/gpu-build.sh
# made: from inside it (DIST_DIR defaults to the folder this script is in),
# or from the repository root with the folder given (default build/gpu-dist
# when the script is the repository's). First prints the GPU (nvidia-smi)
# and checks that PyTorch sees CUDA. The output is also written to
# DIST_DIR/gpu-check.log (or $TMPDIR's where the folder is read only).
# Options after DIST_DIR go to gpu_check.py (--no-bench, --only NAME,
# --reps N, --bench-shape B,T; --device cpu runs the CPU self-check and
# skips the GPU probes). The exit status is gpu_check.py's: 0 all passed,
# 1 a case failed, 2 no GPU or no library.
#
# PYTHON names the interpreter (default python3).
#
#===----------------------------------------------------------------------===#
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=${PYTHON:-python3}
if [ $# -gt 0 ] && [ -d "$1" ]; then
  dist=$(cd "$1" && pwd)
  shift
elif [ -f "$here/bench/gpu_check.py" ] && [ -d "$here/lib" ] && ls "$here"/lib/libcases_*.so > /dev/null 2>&1; then
  dist=$here
else
  dist=$here/build/gpu-dist
fi
if [ ! -f "$dist/bench/gpu_check.py" ] || [ ! -d "$dist/python/interact" ]; then
  echo "gpu-check.sh: $dist is not a folder scripts/gpu-build.sh made" >&2
  exit 2
fi

cpu=0
for arg in "$@"; do
  case $arg in --device=cpu) cpu=1 ;; esac
done
prev=
for arg in "$@"; do
  [ "$prev" = --device ] && [ "$arg" = cpu ] && cpu=1
  prev=$arg
done

log=$dist/gpu-check.log
if ! touch "$log" 2> /dev/null; then
  log=${TMPDIR:-/tmp}/gpu-check.log
fi

{
  echo "== gpu-check.sh $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n)"
  [ -f "$dist/BUILD_INFO" ] && sed 's/^/   /' "$dist/BUILD_INFO"
  if [ "$cpu" = 0 ]; then
    if command -v nvidia-smi > /dev/null; then
      nvidia-smi --query-gpu=index,name,compute_cap,driver_version,memory.total --format=csv
    else
      echo "nvidia-smi: not found"
    fi
    if ! "$python" -c '
import sys, torch
if not torch.cuda.is_available():
    sys.exit("torch " + torch.__version__ + ": torch.cuda.is_available() is False")
print("torch", torch.__version__, "CUDA", torch.version.cuda, "|",
      torch.cuda.get_device_name(0), "sm_%d%d" % torch.cuda.get_device_capability(0))
'; then
      echo "gpu-check.sh: PyTorch sees no CUDA device; nothing to check (--device cpu runs the CPU self-check)"
      exit 2
    fi
  fi
  PYTHONPATH=$dist/python${PYTHONPATH:+:$PYTHONPATH} \
    "$python" "$dist/bench/gpu_check.py" --device cuda --lib-dir "$dist/lib" "$@"
} 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
echo "gpu-check.sh: exit $status; log in $log"
exit "$status"
