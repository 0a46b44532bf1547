#!/usr/bin/env bash
# The GPU proof of issue 8 in one run, on a machine with PyTorch 2.x (CUDA) in its python3 and no
# JDK, Maven or network: builds native/ against that PyTorch's LibTorch, checks the train step
# (eager vs captured losses, fp32 vs bf16/fp16), times MixedPrecisionBenchmark and CompileBenchmark
# with JMH, and writes a markdown table to $OUT (default benchmarks/results/). About 5-6 minutes on
# an H100/H200 (budget: 8).
#
#   here:  benchmarks/gpu/prepare.sh           -> build/gpu-bundle/ (jars + jlinked Java runtime)
#   there: benchmarks/gpu/run-gpu.sh           (carry build/gpu-bundle along with the working tree)
#   smoke: DEVICE=cpu benchmarks/gpu/run-gpu.sh  (a tiny model on the CPU with Debian's LibTorch:
#          every step of the script, no meaningful numbers; captured = eager on a CPU)
#
# Environment: DEVICE (cuda | cuda:N | cpu), LAYERS, HIDDEN (12, 768 on CUDA; 2, 128 on the CPU),
# BATCH (32), LENGTH (128), JMH_OPTS (forks, warm-up and measurement), CHECK_STEPS (8), PYTHON
# (python3: the interpreter with torch), BUNDLE (build/gpu-bundle), OUT (the table's folder; when set,
# logs and JMH's JSON go to $OUT/gpu-logs, else to build/gpu-run).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
device="${DEVICE:-cuda}"
case "$device" in
  cuda | cuda:[0-9]*)
    layers="${LAYERS:-12}" hidden="${HIDDEN:-768}" precisions="fp32,fp16,bf16"
    jmh_opts="${JMH_OPTS:--f 1 -wi 2 -w 3s -i 3 -r 4s}" ;;
  cpu)
    layers="${LAYERS:-2}" hidden="${HIDDEN:-128}" precisions="fp32,bf16" # float16 autocast needs CUDA
    jmh_opts="${JMH_OPTS:--f 1 -wi 1 -w 1s -i 2 -r 1s}" ;;
  *) echo "run-gpu: DEVICE='$device': expected cuda, cuda:N or cpu" >&2; exit 2 ;;
esac
batch="${BATCH:-32}" length="${LENGTH:-128}" check_steps="${CHECK_STEPS:-8}"
bundle="${BUNDLE:-$root/build/gpu-bundle}"
out="${OUT:-$root/benchmarks/results}"
if [ -n "${OUT:-}" ]; then logs="$OUT/gpu-logs"; else logs="$root/build/gpu-run"; fi
build="$root/build/gpu-native-${device%%:*}"
index="${device#cuda}" index="${index#:}" index="${index:-0}" # the CUDA device's number
nvcc=""
mkdir -p "$out" "$logs"
timings=()

fail() { echo "run-gpu: $*" >&2; exit 1; }
phase() { echo "== run-gpu: $1 ($((SECONDS))s)"; phase_started=$SECONDS; }
phase_done() { timings+=("$1=$((SECONDS - phase_started))"); }

# --- 1. What this machine has --------------------------------------------------------------------
phase "tools"
for tool in cmake tar gzip; do
  command -v "$tool" >/dev/null || fail "$tool is not installed on this machine; the native build needs it"
done
cxx="${CXX:-$(command -v g++ || command -v c++ || command -v clang++ || true)}"
[ -n "$cxx" ] || fail "no C++ compiler (g++, c++ or clang++) on this machine; the native build needs one (C++17)"
generator=()
if ! command -v make >/dev/null; then
  command -v ninja >/dev/null || fail "neither make nor ninja is installed; CMake needs one of them to build"
  generator=(-G Ninja)
fi
python="${PYTHON:-python3}"
torch_probe='import torch, os
cuda = torch.cuda.is_available()
print(torch.utils.cmake_prefix_path)
print(torch.__version__)
print(torch.version.cuda or "none")
print(torch.cuda.get_device_name(0) if cuda else "none")
print("%d.%d" % torch.cuda.get_device_capability(0) if cuda else "none")
print("yes" if os.path.isdir(os.path.join(os.path.dirname(torch.__file__), "include", "gloo")) else "no")'
if ! torch_info="$("$python" -c "$torch_probe" 2>/dev/null)"; then
  # Debian's python3-torch belongs to /usr/bin/python3, which may not be the python3 on PATH.
  if [ "$device" = cpu ] && torch_info="$(/usr/bin/python3 -c "$torch_probe" 2>/dev/null)"; then
    python=/usr/bin/python3
  elif [ "$device" = cpu ]; then
    torch_info=""
  else
    fail "'$python' cannot import torch: run with PYTHON=<the interpreter that has PyTorch 2.x>"
  fi
fi
if [ -n "$torch_info" ]; then
  mapfile -t t <<<"$torch_info"
  torch_prefix="${t[0]}" torch_version="${t[1]}" torch_cuda="${t[2]}" gpu_name="${t[3]}" gpu_capability="${t[4]}"
  torch_gloo="${t[5]}"
else
  torch_prefix="" torch_version="system LibTorch" torch_cuda="none" gpu_name="none" gpu_capability="none"
  torch_gloo="?"
fi
# Debian's python3-torch names a cmake folder that its packaging moved (libtorch-dev has it): no prefix then.
[ -n "$torch_prefix" ] && [ ! -d "$torch_prefix/Torch" ] && torch_prefix=""
echo "cmake $(cmake --version | head -n1 | awk '{print $3}'), $cxx, python $python: torch $torch_version" \
  "(CUDA $torch_cuda; GPU $gpu_name, capability $gpu_capability; gloo headers in the wheel: $torch_gloo)"
cmake_args=(-DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_COMPILER=$cxx")
[ -n "$torch_prefix" ] && cmake_args+=("-DFIDELIO_LIBTORCH=$torch_prefix")
if [ "$device" != cpu ]; then
  [ "$torch_cuda" != none ] || fail "torch $torch_version in $python is a CPU build; DEVICE=$device needs a CUDA build"
  [ "$gpu_name" != none ] || fail "torch $torch_version sees no CUDA device (check nvidia-smi); or run with DEVICE=cpu"
  # LibTorch's CMake config of a CUDA build looks for the CUDA toolkit (nvcc); name it when it is off PATH.
  nvcc="$(command -v nvcc || true)"
  for candidate in "${CUDA_HOME:-}/bin/nvcc" /usr/local/cuda/bin/nvcc; do
    [ -z "$nvcc" ] && [ -x "$candidate" ] && nvcc="$candidate"
  done
  if [ -n "$nvcc" ]; then
    cuda_root="$(cd "$(dirname "$nvcc")/.." && pwd)"
    cmake_args+=("-DCUDAToolkit_ROOT=$cuda_root" "-DCUDA_TOOLKIT_ROOT_DIR=$cuda_root" "-DCMAKE_CUDA_COMPILER=$nvcc")
    echo "CUDA toolkit: $cuda_root ($("$nvcc" --version | tail -n1))"
  else
    echo "run-gpu: warning: no nvcc found (PATH, \$CUDA_HOME, /usr/local/cuda); LibTorch's CMake config" \
         "of a CUDA build usually needs the CUDA toolkit. Trying anyway." >&2
  fi
  export TORCH_CUDA_ARCH_LIST="${TORCH_CUDA_ARCH_LIST:-$gpu_capability}"
fi
phase_done tools

# --- 2. The Java runtime and jars made by prepare.sh ---------------------------------------------
phase "java runtime"
jar="$bundle/benchmarks-gpu.jar"
[ -f "$jar" ] && [ -f "$bundle/runtime.tar.gz" ] ||
  fail "$bundle lacks benchmarks-gpu.jar or runtime.tar.gz: run benchmarks/gpu/prepare.sh on a machine with a JDK" \
       "and Maven, and carry build/gpu-bundle along"
runtime="$root/build/gpu-runtime"
if [ "$(cat "$bundle/bundle.txt")" != "$(cat "$runtime/bundle.txt" 2>/dev/null)" ]; then # unpacked already?
  rm -rf "$runtime" && mkdir -p "$runtime"
  tar -C "$runtime" -xzf "$bundle/runtime.tar.gz"
  cp "$bundle/bundle.txt" "$runtime/"
fi
java="$runtime/bin/java"
java_version="$("$java" -version 2>&1 | head -n1)" || fail "the jlinked runtime in $runtime does not start"
echo "$java_version; bundle: $(tr '\n' ';' <"$bundle/bundle.txt")"
phase_done java

# --- 3. The native library, against this machine's LibTorch --------------------------------------
phase "native build (log: $logs/native-build.log)"
if ! { cmake -S "$root" -B "$build" "${generator[@]}" "${cmake_args[@]}" &&
       cmake --build "$build" --target fidelio --parallel "$(nproc)"; } >"$logs/native-build.log" 2>&1; then
  tail -n 30 "$logs/native-build.log" >&2
  hint="see $logs/native-build.log (last lines above)."
  [ "$device" != cpu ] && [ -z "$nvcc" ] &&
    hint="$hint LibTorch's CMake config could not find the CUDA toolkit: install it or set CUDA_HOME."
  grep -q "gloo/" "$logs/native-build.log" && [ "$torch_gloo" = no ] &&
    hint="$hint This PyTorch wheel ships no gloo headers, which native/ (c10d Gloo) includes."
  fail "the native build failed: $hint"
fi
lib="$build/lib/libfidelio.so"
missing="$(ldd "$lib" | grep 'not found' || true)"
[ -z "$missing" ] || fail "$lib cannot find its libraries: $missing"
grep -m1 "Fidelio: LibTorch" "$logs/native-build.log" || true
phase_done native

# --- 4. Correctness, then the two benchmarks -----------------------------------------------------
source "$root/bin/lib/setup.sh"
fidelio_native_env # the launcher's threads, OpenMP and malloc settings, before the JVM starts
export FIDELIO_NATIVE_LIBRARY="$lib" # read by NativeLibrary, also in JMH's forked JVMs
# JMH reads fields through sun.misc.Unsafe: allowed without the JDK 24+ warning (forks inherit the flag).
jvm=("$java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
shape=(-p "device=$device" -p "layers=$layers" -p "hidden=$hidden" -p "batch=$batch" -p "length=$length")

phase "correctness check"
check_status=0
"${jvm[@]}" -cp "$jar" dev.fidelio.benchmarks.GpuStepCheck "device=$device" "layers=$layers" "hidden=$hidden" \
  "batch=$batch" "length=$length" "steps=$check_steps" "json=$logs/check.json" 2>&1 | tee "$logs/check.log" ||
  check_status=$?
phase_done check

phase "MixedPrecisionBenchmark"
# JMH reports a failed trial and goes on to the next; the table shows what is missing.
# shellcheck disable=SC2086 # JMH_OPTS is a list of options
"${jvm[@]}" -jar "$jar" '\.MixedPrecisionBenchmark\.' "${shape[@]}" -p "precision=$precisions" $jmh_opts \
  -rf json -rff "$logs/mixed-precision.json" 2>&1 | tee "$logs/mixed-precision.log" || echo "run-gpu: JMH failed" >&2
phase_done mixed_precision

phase "CompileBenchmark"
# shellcheck disable=SC2086
"${jvm[@]}" -jar "$jar" '\.CompileBenchmark\.' "${shape[@]}" -p "precision=fp32,bf16" $jmh_opts \
  -rf json -rff "$logs/compile.json" 2>&1 | tee "$logs/compile.log" || echo "run-gpu: JMH failed" >&2
phase_done compile

# --- 5. The table --------------------------------------------------------------------------------
if [ "$device" = cpu ]; then
  machine="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
  table="$out/gpu-smoke-cpu-$(date +%F).md"
else
  gpu="$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader -i "$index" 2>/dev/null ||
    echo "$gpu_name")"
  machine="$gpu (nvidia-smi: name, driver, memory), $(nproc) CPU cores"
  table="$out/gpu-$(date +%F).md"
fi
command="DEVICE=$device LAYERS=$layers HIDDEN=$hidden BATCH=$batch LENGTH=$length JMH_OPTS='$jmh_opts' benchmarks/gpu/run-gpu.sh"
"$python" "$root/benchmarks/gpu/write_results.py" "$table" "$logs" \
  "machine=$machine" "command=$command" "torch=torch $torch_version (CUDA $torch_cuda)" "java=$java_version" \
  "device=$device" "layers=$layers" "hidden=$hidden" "batch=$batch" "length=$length" "jmh=$jmh_opts" \
  "check_status=$check_status" "timings=${timings[*]} total=$SECONDS"
echo "== run-gpu: done in ${SECONDS}s; table: $table"
[ "$check_status" -eq 0 ] || fail "the correctness check failed (see the table and $logs/check.log)"
