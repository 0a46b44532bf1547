#!/usr/bin/env bash
# The trainable ResNet-18 step side by side: Fidelio (JMH, ResNetTrainStepBenchmark) and PyTorch
# eager (benchmarks/python/resnet_train_step.py: torchvision's resnet18, Debian's python3-torch and
# python3-torchvision), same machine, same run, same threads and BLAS environment (the launcher's).
# Writes benchmarks/results/resnet-<date>.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/bin/lib/find-jdk.sh"
source "$root/bin/lib/setup.sh"
fidelio_ensure_packages python3-torch python3-torchvision
java_home="$(fidelio_find_jdk)"
"$root/bin/fidelio" --version >/dev/null
(cd "$root" && JAVA_HOME="$java_home" mvn -q -B package -DskipTests >/dev/null 2>&1)
fidelio_native_env
lib="$root/build/native/lib/libfidelio.so"
out="$root/benchmarks/results/resnet-$(date +%F).md"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
batch="${BATCH:-32}"
size="${SIZE:-224}"
steps="${STEPS:-5}"

echo "== PyTorch eager"
py="$(/usr/bin/python3 "$root/benchmarks/python/resnet_train_step.py" "$batch" "$size" 1 "$steps")"
echo "$py"
echo "== Fidelio (JMH, single-shot steps)"
"$java_home/bin/java" --enable-native-access=ALL-UNNAMED -jar "$root/benchmarks/target/benchmarks.jar" \
  -jvmArgsAppend "-Dfidelio.native.library=$lib" -p batch="$batch" -p size="$size" -wi 1 -i "$steps" \
  ResNetTrainStepBenchmark | tee "$tmp/jmh.txt"
java_ms="$(awk '$1 == "ResNetTrainStepBenchmark.trainStep" { print $6 }' "$tmp/jmh.txt")"
java_err="$(awk '$1 == "ResNetTrainStepBenchmark.trainStep" { print $8 }' "$tmp/jmh.txt")"
py_ms="$(sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p' <<<"$py")"
cat >"$out" <<MD
# Trainable ResNet-18 step: Fidelio vs PyTorch eager, $(date +%F)

Command: \`benchmarks/run-resnet-step.sh\` (both measured in this one run, PyTorch first).
Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores (shared with other work:
figures are noisy); environment for both: OMP_WAIT_POLICY=$OMP_WAIT_POLICY OMP_NUM_THREADS=$OMP_NUM_THREADS
OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset} MALLOC_MMAP_THRESHOLD_=$MALLOC_MMAP_THRESHOLD_
MALLOC_TRIM_THRESHOLD_=$MALLOC_TRIM_THRESHOLD_ (the launcher's, bin/lib/setup.sh).
Step: resnet18 (torchvision's architecture; Fidelio's ResNet image input + a 1000-class category
head = torchvision's fc), batch $batch, ${size}x${size} RGB, train-mode batch norm, cross-entropy,
backward, global-norm clipping 0.5, AdamW (foreach). Float32, CPU. $steps measured steps after 1 warm-up.

| implementation | ms/step | images/s |
|---|---|---|
| PyTorch eager ($(sed -n 's/.*torch=\([^ ]*\).*/\1/p' <<<"$py"), median of $steps) | $py_ms | $(awk -v m="$py_ms" -v b="$batch" 'BEGIN{printf "%.2f", b*1000/m}') |
| Fidelio via FFM (JMH single-shot mean ± 99.9% CI) | $java_ms ± $java_err | $(awk -v m="$java_ms" -v b="$batch" 'BEGIN{printf "%.2f", b*1000/m}') |
| **ratio (Fidelio images/s over PyTorch's)** | | **$(awk -v a="$py_ms" -v b="$java_ms" 'BEGIN{printf "%.3f", a/b}')** |

Both run the same LibTorch 1.13 convolution kernels (oneDNN) on the same threads: the step is
convolution-bound, so the ratio measures what Fidelio's C++ module, the single FFM crossing and the
foreach AdamW add or save around them.
MD
cat "$out"
