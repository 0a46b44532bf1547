#!/usr/bin/env bash
# Trainable image-family train steps, Fidelio against torchvision eager, one family at a time in
# lock-step (benchmarks/resnet_lockstep.py): torchvision's own model code (Debian's python3-torchvision,
# run on PyTorch 2.x from the wheel Fidelio builds on: benchmarks/python/torchvision-shim.sh,
# torch2-venv.sh) against Fidelio's native step from C++ (fidelio_resnet_step_driver TYPE VARIANT)
# and from the JVM (ResNetStepServer TYPE VARIANT). Same model (Fidelio's cut encoder + a
# 1000-class output = the torchvision model with its head), cross-entropy, clipping 0.5, AdamW.
# MODELS (default "resnet:50 efficientnet:b0 convnext:tiny vit:b_16", Ludwig's type:model_variant),
# BATCH (32), SIZE (224), STEPS (3), WARMUP (1); JVM=0 leaves the JVM column out (a third less time). Writes benchmarks/results/image-families-<date>.md (or $OUT).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/bin/lib/find-jdk.sh"
source "$root/bin/lib/setup.sh"
source "$root/benchmarks/python/torch2-venv.sh"
source "$root/benchmarks/python/torchvision-shim.sh"
java_home="$(fidelio_find_jdk)"
"$root/bin/fidelio" --version >/dev/null
(cd "$root" && JAVA_HOME="$java_home" mvn -q -B package -DskipTests >/dev/null 2>&1)
cmake --build "$root/build/native" --target fidelio_resnet_step_driver >/dev/null
fidelio_native_env
py="$(fidelio_torch2_python "$root")"
shim="$(fidelio_torchvision_shim "$root")"
lib="$root/build/native/lib/libfidelio.so"
out="${OUT:-$root/benchmarks/results/image-families-$(date +%F).md}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
models="${MODELS:-resnet:50 efficientnet:b0 convnext:tiny vit:b_16}"
batch="${BATCH:-32}" size="${SIZE:-224}" steps="${STEPS:-3}" warmup="${WARMUP:-1}"
started="$(date -u '+%F %H:%M UTC')"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

torchvision_name() {  # Ludwig's type and variant -> torchvision's builder
  case "$1" in
    resnet) echo "resnet$2" ;; vit) echo "vit_$2" ;; convnext) echo "convnext_$2" ;;
    efficientnet) echo "efficientnet_$2" ;; *) echo "$1_$2" ;;
  esac
}
field() { awk -v name="$1" -v key="$2=" -v file="$3" '$1 == "result" && $2 == name {
  for (i = 3; i <= NF; i++) if (index($i, key) == 1) print substr($i, length(key) + 1) }' "$3"; }
rows=""
impls="pytorch cpp"; [ "${JVM:-1}" = 1 ] && impls="pytorch cpp jvm"
for model in $models; do
  type="${model%%:*}" variant="${model#*:}" name="$(torchvision_name "${model%%:*}" "${model#*:}")"
  log="$tmp/$name.txt"
  jvm_impl=""
  [ "${JVM:-1}" = 1 ] && jvm_impl="jvm=$java_home/bin/java --enable-native-access=ALL-UNNAMED -Dfidelio.native.library=$lib \
-cp $root/benchmarks/target/benchmarks.jar dev.fidelio.benchmarks.ResNetStepServer $batch $size $type $variant"
  /usr/bin/python3 "$root/benchmarks/resnet_lockstep.py" "$warmup" "$steps" \
    "pytorch=env PYTHONPATH=$shim $py $root/benchmarks/python/image_train_step.py $name $batch $size" \
    "cpp=$root/build/native/bin/fidelio_resnet_step_driver $batch $size $type $variant" \
    ${jvm_impl:+"$jvm_impl"} \
    | tee "$log"
  for impl in $impls; do
    ms="$(field "$impl" median_ms "$log")"
    rows+="| $type $variant | $impl | $ms | $(awk -v m="$ms" -v b="$batch" 'BEGIN{printf "%.2f", b*1000/m}') |"
    rows+=" $(field "$impl" ratio_of_medians "$log") | $(field "$impl" paired_ratio_median "$log") ($(field "$impl" paired_ratio_range "$log")) |"
    rows+=" $(field "$impl" cpu_user_ms "$log") | $(field "$impl" peak_rss_mib "$log") |"$'\n'
  done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
cat >"$out" <<MD
# Image families: trainable step, Fidelio vs torchvision eager, $(date +%F)

Command: \`benchmarks/run-image-families.sh\` (MODELS="$models" BATCH=$batch SIZE=$size STEPS=$steps
WARMUP=$warmup), started $started. Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs),
$(nproc) cores; load average $load_before before, $load_after after. Float32, CPU; PyTorch: $("$py" -c 'import torch; print(torch.__version__)')
with torchvision 0.14's model code; Fidelio on the LibTorch of build/native. Per family the processes
step in lock-step (order rotating each round); ratio = throughput over PyTorch eager's
(> 1: Fidelio faster), from the medians, and the per-round paired ratio (median, range).

| model | implementation | median ms/step | images/s | ratio of medians | paired ratio (range) | CPU user ms | peak RSS MiB |
|---|---|---|---|---|---|---|---|
${rows}
MD
cat "$out"
