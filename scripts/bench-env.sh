#!/usr/bin/env bash
#===- bench-env.sh - The benchmarks' virtual environment (PyTorch 2, JAX) --===#
#
# Creates (idempotently) a virtual environment with bench/requirements.txt,
# the peers bench/run.py times beside interact: PyTorch 2.x and JAX from PyPI.
# Benchmarks only; the tests never use it. Debian 12's python3 with its own
# numpy and python3-torch 1.13 (scripts/install-deps.sh --bench) stays as it is.
#
#   INTERACT_BENCH_VENV        where (default: <repo>/.venv-bench)
#   INTERACT_BENCH_PYTHON      the interpreter to base it on (default: /usr/bin/python3)
#   INTERACT_BENCH_TORCH_INDEX a CPU-only PyTorch wheel index, tried first
#                              (PyPI's torch is the CUDA build, some GB larger)
#
# bench/run.py re-executes itself under this environment's python when it
# exists; `$INTERACT_BENCH_VENV/bin/python bench/run.py` does the same.
#
#===----------------------------------------------------------------------===#
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${INTERACT_BENCH_VENV:-$ROOT/.venv-bench}
PYTHON=${INTERACT_BENCH_PYTHON:-/usr/bin/python3}
REQUIREMENTS=$ROOT/bench/requirements.txt
STAMP=$VENV/.interact-requirements.sha256

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi

# Debian splits ensurepip, which `python3 -m venv` needs, into python3-venv.
if ! [ -x "$PYTHON" ] || ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
  echo "bench-env: installing python3 python3-venv"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends python3 python3-venv
fi

want=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)
if [ -x "$VENV/bin/python" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$want" ]; then
  echo "bench-env: $VENV is up to date with bench/requirements.txt"
  exit 0
fi

start=$(date +%s)
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
pip=("$VENV/bin/python" -m pip --disable-pip-version-check)
"${pip[@]}" install -q --upgrade pip

if [ -n "${INTERACT_BENCH_TORCH_INDEX:-}" ]; then
  # The CPU-only build first; what it cannot serve comes from PyPI below.
  "${pip[@]}" install -q --index-url "$INTERACT_BENCH_TORCH_INDEX" \
    "$(grep -E '^torch[^a-z_-]' "$REQUIREMENTS")" ||
    echo "bench-env: $INTERACT_BENCH_TORCH_INDEX failed; PyTorch comes from PyPI"
fi
"${pip[@]}" install -q -r "$REQUIREMENTS"

echo "$want" >"$STAMP"
echo "bench-env: $VENV ready in $(($(date +%s) - start)) s:"
"$VENV/bin/python" - <<'PY'
import importlib
for name in ("torch", "jax", "jaxlib", "numpy"):
    try:
        print(f"  {name} {importlib.import_module(name).__version__}")
    except Exception as e:
        print(f"  {name}: not importable ({e})")
PY
