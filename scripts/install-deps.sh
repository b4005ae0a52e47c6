#!/usr/bin/env bash
#===- install-deps.sh - Install the Debian packages interact needs ------------===#
#
# Idempotent: installs only what is missing, so it is cheap to call before every
# build. Needs root (or sudo) and Debian 12 with the bookworm-security suite, which
# carries LLVM/MLIR 22.
#
#===----------------------------------------------------------------------------===#
set -euo pipefail

packages=(
  # Toolchain and build system (ccache: test/Package rebuilds examples/downstream).
  build-essential cmake ninja-build lld git ccache
  # LLVM/MLIR 22: headers, the libLLVM/libMLIR dylibs, FileCheck, mlir-tblgen,
  # mlir-opt (for the plugin test) and lit.
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools
  # LLVM's OpenMP runtime, which the parallel loops run on, and compiler-rt's
  # builtins, which interact-compile links into its libraries.
  libomp-22-dev libclang-rt-22-dev
  # Unit tests.
  libgtest-dev libgmock-dev
  # Reference implementations, benchmark baselines and plots.
  python3 python3-numpy
  # python/interact's offline pip install into a venv (test/Python).
  python3-pip python3-setuptools python3-wheel python3-venv
)

# bench/ also uses these (not the tests): scripts/install-deps.sh --bench.
if [ "${1:-}" = "--bench" ]; then
  packages+=(python3-torch python3-matplotlib libopenblas0-pthread)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
