# Sourced by the benchmark scripts: torchvision's own model code for the PyTorch 2.x venv
# (torch2-venv.sh). The torchvision served by pip here is a CUDA build that cannot load beside a CPU
# torch, and Debian's python3-torchvision (0.14) is built for Debian's torch 1.13: its compiled ops
# abort a torch 2.x process on load. Its models are plain Python, though, so the baseline is
# torchvision's model definitions themselves: a copy of Debian's package without the compiled
# extensions, the torch-1.13-only ONNX symbolic registration switched off, and an empty `requests`
# (imported by the dataset helpers, never called). Nothing of it is used outside the benchmarks.
# fidelio_torchvision_shim ROOT prints the directory to put on PYTHONPATH.
fidelio_torchvision_shim() {
  local shim="$1/build/torchvision-shim" debian=/usr/lib/python3/dist-packages/torchvision
  if [ ! -f "$shim/torchvision/__init__.py" ]; then
    fidelio_ensure_packages python3-torchvision >&2 || return 1
    rm -rf "$shim" && mkdir -p "$shim" && cp -r "$debian" "$shim/" || return 1
    find "$shim/torchvision" -name '*.so' -delete
    sed -i 's/^_register_custom_op()$/pass  # torch 1.13 ONNX symbolics: absent from torch 2.x/' \
      "$shim/torchvision/ops/__init__.py"
    : >"$shim/requests.py"
  fi
  echo "$shim"
}
