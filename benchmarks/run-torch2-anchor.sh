#!/usr/bin/env bash
# Fidelio against what a Python user runs today: PyTorch 2.x from the same wheel Fidelio builds on
# (benchmarks/python/torch2-venv.sh), eager and under torch.compile (inductor, CPU), on the same
# machine, in the same run and environment (the launcher's: threads, OpenMP waiting, malloc).
# Four workloads, each Fidelio's JMH benchmark against its Python twin:
#   text    trainable all-MiniLM-L6-v2-shaped step, batch 32 x 128   TextTrainStepBenchmark / text_train_step.py
#   frozen  frozen-encoder pass of cached embeddings, 32 x 128        FrozenEncoderPassBenchmark / text_train_step.py frozen
#   resnet  trainable ResNet-18 step, batch 32, 224x224 (lock-step)   ResNetStepServer / resnet_train_step.py
#   head    cached-head step: 384 -> 2 head, AdamW, batch 32          CachedHeadStepBenchmark / head_train_step.py
# WORKLOADS (default "text frozen resnet head") picks some; COMPILE=0 skips torch.compile.
# Writes benchmarks/results/torch2-anchor-<date>.md (or $OUT).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/bin/lib/find-jdk.sh"
source "$root/bin/lib/setup.sh"
source "$root/benchmarks/python/torch2-venv.sh"
java_home="$(fidelio_find_jdk)"
"$root/bin/fidelio" --version >/dev/null
(cd "$root" && JAVA_HOME="$java_home" mvn -q -B package -DskipTests >/dev/null 2>&1)
fidelio_native_env
py="$(fidelio_torch2_python "$root")"
lib="$root/build/native/lib/libfidelio.so"
out="${OUT:-$root/benchmarks/results/torch2-anchor-$(date +%F).md}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
workloads="${WORKLOADS:-text frozen resnet head}"
modes="eager"; [ "${COMPILE:-1}" = 1 ] && modes="eager compile"
bench="$root/benchmarks/python"
started="$(date -u '+%F %H:%M UTC')"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

jmh() {  # jmh NAME BENCHMARK: Fidelio's score in the benchmark's own unit
  "$java_home/bin/java" --enable-native-access=ALL-UNNAMED -jar "$root/benchmarks/target/benchmarks.jar" \
    -jvmArgsAppend "-Dfidelio.native.library=$lib" -foe true -rf json -rff "$tmp/$1.json" "$2" >"$tmp/$1.log" 2>&1
  "$py" -c 'import json,sys; m=json.load(open(sys.argv[1]))[0]["primaryMetric"]; print("%.3f %.3f" % (m["score"], m["scoreError"]))' "$tmp/$1.json"
}
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p"; }
rows=()
row() {  # row LABEL UNIT FIDELIO ERR EAGER COMPILE (lower is better for all)
  local ratio_eager ratio_compile="n/a"
  ratio_eager="$(awk -v p="$5" -v f="$3" 'BEGIN{printf "%.3f", p/f}')"
  [ -n "$6" ] && ratio_compile="$(awk -v p="$6" -v f="$3" 'BEGIN{printf "%.3f", p/f}')"
  rows+=("| $1 | $3 ± $4 $2 | $5 $2 | ${6:-not run} ${6:+$2} | **$ratio_eager** | $ratio_compile |")
  echo "${rows[-1]}"
}
for w in $workloads; do
  echo "== $w"
  eager="" compiled=""
  case "$w" in
    text|frozen)
      prefix=""; [ "$w" = frozen ] && prefix="frozen_"
      for mode in $modes; do
        name="${prefix}${mode}"; [ "$name" = frozen_eager ] && name=frozen
        ms="$("$py" "$bench/text_train_step.py" 32 128 3 10 "$name" | tee -a "$tmp/python.txt" | field median_ms)"
        [ "$mode" = eager ] && eager="$ms" || compiled="$ms"
      done
      if [ "$w" = text ]; then read -r f e <<<"$(jmh text TextTrainStepBenchmark)"; label="trainable MiniLM step (32 x 128)"
      else read -r f e <<<"$(jmh frozen FrozenEncoderPassBenchmark)"; label="frozen-encoder pass (32 x 128)"; fi
      row "$label" ms "$f" "$e" "$eager" "$compiled" ;;
    head)
      for mode in $modes; do
        us="$("$py" "$bench/head_train_step.py" 32 384 15 "$mode" | tee -a "$tmp/python.txt" | field median_us)"
        [ "$mode" = eager ] && eager="$us" || compiled="$us"
      done
      read -r f e <<<"$(jmh head CachedHeadStepBenchmark)"
      row "cached-head step (384 -> 2, batch 32)" µs "$f" "$e" "$eager" "$compiled" ;;
    resnet)
      commands=("pytorch=$py $bench/resnet_train_step.py 32 224")
      [ "${COMPILE:-1}" = 1 ] && commands+=("pytorch_compile=$py $bench/resnet_train_step.py 32 224 compile")
      commands+=("jvm=$java_home/bin/java --enable-native-access=ALL-UNNAMED -Dfidelio.native.library=$lib -cp $root/benchmarks/target/benchmarks.jar dev.fidelio.benchmarks.ResNetStepServer 32 224")
      "$py" "$root/benchmarks/resnet_lockstep.py" 2 "${STEPS:-10}" "${commands[@]}" | tee "$tmp/lockstep.txt"
      median() { awk -v n="$1" '$1 == "result" && $2 == n { for (i = 3; i <= NF; i++) if ($i ~ /^median_ms=/) print substr($i, 11) }' "$tmp/lockstep.txt"; }
      row "trainable ResNet-18 step (32 x 224², lock-step)" ms "$(median jvm)" "n/a" "$(median pytorch)" "$(median pytorch_compile)" ;;
    *) echo "unknown workload $w" >&2; exit 2 ;;
  esac
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
torch_line="$(head -n1 "$tmp/python.txt" 2>/dev/null || true)"
cat >"$out" <<MD
# Fidelio vs PyTorch 2.x (eager and torch.compile), $(date +%F)

Command: \`benchmarks/run-torch2-anchor.sh\` (WORKLOADS="$workloads"; all rows measured in this one run, started $started).
Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores shared with other work; load
average $load_before before, $load_after after.
Both sides: LibTorch $(sed -n 's/.*torch=\([^ ]*\).*/\1/p' <<<"$torch_line") from $(fidelio_libtorch_source "$root" | cut -d: -f1)
(Fidelio is built on the same wheel's LibTorch; Python runs it in $py), $(sed -n 's/.*threads=\([0-9]*\).*/\1/p' <<<"$torch_line") intra-op threads,
OMP_WAIT_POLICY=$OMP_WAIT_POLICY MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX MALLOC_MMAP_MAX_=$MALLOC_MMAP_MAX_
MALLOC_MMAP_THRESHOLD_=$MALLOC_MMAP_THRESHOLD_ MALLOC_TRIM_THRESHOLD_=$MALLOC_TRIM_THRESHOLD_ (the launcher's, for all).
Fidelio: JMH mean ± 99.9% CI (ResNet: median of the lock-step rounds). PyTorch: median of its steps
(head: of five timed rounds). Ratio = PyTorch's time over Fidelio's (above 1: Fidelio faster).
The Python twins write HF's BertModel with its default "sdpa" attention and torchvision's
resnet18; same shapes, AdamW, global-norm clipping 0.5. float32, CPU.

| workload | Fidelio | PyTorch eager | PyTorch torch.compile | ratio vs eager | ratio vs compile |
|---|---|---|---|---|---|
$(printf '%s\n' "${rows[@]}")
MD
cat "$out"
