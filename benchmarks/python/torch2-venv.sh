# Sourced by the benchmark scripts: a Python with PyTorch 2.x, the anchor a Python user runs today.
# fidelio_torch2_python ROOT prints the interpreter: $FIDELIO_BENCH_PYTHON when set, else a venv in
# ROOT/build/venv-torch2 made once from the same torch wheel cmake/FidelioLibTorch.cmake builds on,
# its dependencies and numpy from pip's configured indexes (local ones on these machines). No
# torchvision: the one served here is a CUDA build that cannot load beside a CPU torch, so
# resnet_train_step.py writes torchvision's resnet18 out itself when the import fails.
fidelio_torch2_python() {
  local root="$1" venv="$1/build/venv-torch2"
  if [ -n "${FIDELIO_BENCH_PYTHON:-}" ]; then echo "$FIDELIO_BENCH_PYTHON"; return 0; fi
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import torch' 2>/dev/null; then
    local wheel="${FIDELIO_TORCH_WHEEL:-}"
    [ -n "$wheel" ] || wheel="$(sed -n 's/^wheel \(.*\.whl\): .*/\1/p' <<<"$(fidelio_libtorch_source "$root")")"
    if [ ! -f "$wheel" ]; then
      echo "benchmarks: no torch wheel to make $venv from (set FIDELIO_TORCH_WHEEL or FIDELIO_BENCH_PYTHON)" >&2
      return 1
    fi
    # python3-dev: torch.compile's C++ backend compiles against Python's headers.
    fidelio_ensure_packages python3-venv python3-dev >&2 || return 1
    rm -rf "$venv"
    /usr/bin/python3 -m venv "$venv" >&2 &&
      PIP_RETRIES=0 "$venv/bin/pip" install -q "$wheel" numpy >&2 || {
      echo "benchmarks: pip could not install $wheel with its dependencies into $venv" >&2
      return 1
    }
  fi
  echo "$venv/bin/python"
}

# The libtorch_source line of the native build (which LibTorch Fidelio was built on).
fidelio_libtorch_source() {
  sed -n 's/^FIDELIO_LIBTORCH_SOURCE:INTERNAL=//p' "$1/build/native/CMakeCache.txt" 2>/dev/null
}
