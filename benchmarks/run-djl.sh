#!/usr/bin/env bash
# Fidelio against the JVM peer DJL 0.36 (PyTorch engine, the LibTorch 2.7.1 it ships through Maven
# as ai.djl.pytorch:pytorch-native-cpu), on the same machine, in the same run and environment (the
# launcher's: threads, OpenMP waiting, malloc). Two workloads, each Fidelio's JMH benchmark against
# its DJL twin in benchmarks/djl (same JMH settings, batch 32 x 128, float32):
#   text    trainable all-MiniLM-L6-v2-shaped step    TextTrainStepBenchmark / DjlTextTrainStepBenchmark
#   frozen  frozen-encoder pass, mean-pooled          FrozenEncoderPassBenchmark / DjlFrozenEncoderPassBenchmark
# Each JMH fork loads one LibTorch only: Fidelio's jar carries no DJL engine, and benchmarks/djl
# does not depend on Fidelio. DJL runs offline from ~/.m2 (mvn -o) and extracts its LibTorch into
# ~/.djl.ai/pytorch. Before timing, DjlTrainCheck checks that the DJL step trains (loss falls).
# ROUNDS (default 2) rounds, each side first in alternate rounds, so drift on this shared machine
# falls on both. JMH_ARGS adds JMH options to both sides (e.g. "-wi 0 -i 1 -r 1" for a smoke run). Writes benchmarks/results/djl-<date>.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/bin/lib/find-jdk.sh"
source "$root/bin/lib/setup.sh"
java_home="$(fidelio_find_jdk)"
"$root/bin/fidelio" --version >/dev/null
(cd "$root" && JAVA_HOME="$java_home" mvn -q -B package -DskipTests >/dev/null 2>&1)
(cd "$root" && JAVA_HOME="$java_home" mvn -q -B -o -f benchmarks/djl/pom.xml package >/dev/null 2>&1) || {
  echo "run-djl: benchmarks/djl did not build offline; it needs ai.djl.pytorch:pytorch-engine:0.36.0," \
    "pytorch-jni:2.7.1-0.36.0 and pytorch-native-cpu:2.7.1:linux-x86_64 in ~/.m2" \
    "(mvn -f benchmarks/djl/pom.xml package once with a network)" >&2
  exit 1
}
fidelio_native_env
lib="$root/build/native/lib/libfidelio.so"
djl="$root/benchmarks/djl/target"
out="$root/benchmarks/results/djl-$(date +%F).md"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
rounds="${ROUNDS:-2}"
read -r -a jmh_args <<<"${JMH_ARGS:-}"
java=("$java_home/bin/java" --enable-native-access=ALL-UNNAMED)
# Fidelio's thread counts as LibTorch reports them; DJL is given the same (it reads these properties).
threads="$("$root/bin/fidelio" check_install | sed -n 's/^threads: *\(.*\);.*/\1/p')"
intra="$(sed -n 's/.*intra-op \([0-9]*\).*/\1/p' <<<"$threads")"
inter="$(sed -n 's/.*inter-op \([0-9]*\).*/\1/p' <<<"$threads")"
djl_props="-Dai.djl.offline=true -Dai.djl.pytorch.num_threads=$intra -Dai.djl.pytorch.num_interop_threads=$inter"
djl_props+=" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn"
# DJL's training JVMs run without garbage collection: a collection between forward and backward
# frees scalar tensors that autograd still holds and corrupts the gradients (DjlTrainStep's comment).
djl_train_gc="-XX:+UnlockExperimentalVMOptions -XX:+UseEpsilonGC -Xmx2g"
started="$(date -u '+%F %H:%M UTC')"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

echo "== DJL trains? (fixed batch, lr 1e-5)"
"${java[@]}" $djl_props $djl_train_gc -cp "$djl/classes:$djl/lib/*" dev.fidelio.benchmarks.djl.DjlTrainCheck 6 2>"$tmp/check.log" |
  tee "$tmp/check.txt"
grep -q 'trains=true' "$tmp/check.txt" || { tail -n 20 "$tmp/check.log" >&2; echo "run-djl: DJL's step did not train" >&2; exit 1; }

score() {  # score JSON: "mean error best" of JMH's primary metric (best: the fastest measured iteration);
  # a failed run shows its log and stops the script
  local line
  line="$(jq -er '.[0].primaryMetric | "\(.score) \(.scoreError) \([.rawData[][]] | min)"' "$1" 2>/dev/null)" ||
    { tail -n 30 "${1%.json}.log" >&2; echo "run-djl: ${1##*/} has no score" >&2; kill -TERM $$; }
  awk '{printf "%.1f %.1f %.1f\n", $1, $2, $3}' <<<"$line"
}
fidelio() {  # fidelio NAME BENCHMARK
  "${java[@]}" -jar "$root/benchmarks/target/benchmarks.jar" -jvmArgsAppend "-Dfidelio.native.library=$lib" \
    -foe true "${jmh_args[@]}" -rf json -rff "$tmp/$1.json" "$2" >"$tmp/$1.log" 2>&1
  score "$tmp/$1.json"
}
djl() {  # djl NAME BENCHMARK [JVM ARGS]
  "${java[@]}" -cp "$djl/classes:$djl/lib/*" org.openjdk.jmh.Main -jvmArgsAppend "--enable-native-access=ALL-UNNAMED $djl_props ${3:-}" \
    -foe true "${jmh_args[@]}" -rf json -rff "$tmp/$1.json" "$2" >"$tmp/$1.log" 2>&1
  score "$tmp/$1.json"
}
rows=()
declare -A sum_f sum_d best_f best_d
for ((r = 1; r <= rounds; r++)); do
  for w in text frozen; do
    if [ "$w" = text ]; then fb=TextTrainStepBenchmark db=DjlTextTrainStepBenchmark label="trainable MiniLM step" gc="$djl_train_gc"
    else fb=FrozenEncoderPassBenchmark db=DjlFrozenEncoderPassBenchmark label="frozen-encoder pass" gc=""; fi
    echo "== round $r: $w"
    if ((r % 2)); then read -r f fe fbest <<<"$(fidelio "f$w$r" $fb)"; read -r d de dbest <<<"$(djl "d$w$r" $db "$gc")"
    else read -r d de dbest <<<"$(djl "d$w$r" $db "$gc")"; read -r f fe fbest <<<"$(fidelio "f$w$r" $fb)"; fi
    sum_f[$w]="$(awk -v a="${sum_f[$w]:-0}" -v b="$f" 'BEGIN{print a + b}')"
    sum_d[$w]="$(awk -v a="${sum_d[$w]:-0}" -v b="$d" 'BEGIN{print a + b}')"
    best_f[$w]="$(awk -v a="${best_f[$w]:-1e30}" -v b="$fbest" 'BEGIN{print (b < a) ? b : a}')"
    best_d[$w]="$(awk -v a="${best_d[$w]:-1e30}" -v b="$dbest" 'BEGIN{print (b < a) ? b : a}')"
    first="Fidelio"; ((r % 2)) || first="DJL"
    rows+=("| $label | $r ($first first) | $f ± $fe ms | $d ± $de ms | $(awk -v d="$d" -v f="$f" 'BEGIN{printf "%.2f", d/f}') | $fbest ms | $dbest ms | $(awk -v d="$dbest" -v f="$fbest" 'BEGIN{printf "%.2f", d/f}') |")
    echo "${rows[-1]}"
  done
done
ratio() { awk -v d="${sum_d[$1]}" -v f="${sum_f[$1]}" 'BEGIN{printf "%.2f", d/f}'; }
best_ratio() { awk -v d="${best_d[$1]}" -v f="${best_f[$1]}" 'BEGIN{printf "%.2f", d/f}'; }
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
cat >"$out" <<MD
# Fidelio vs DJL 0.36 (PyTorch engine), $(date +%F)

Command: \`benchmarks/run-djl.sh\` (ROUNDS=$rounds JMH_ARGS="${JMH_ARGS:-}"; all rows measured in this one run, started $started).
Machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores shared with other work; load average
$load_before before, $load_after after.
Fidelio: LibTorch $("$root/bin/fidelio" --version | sed -n 's/^LibTorch \([^ ]*\).*/\1/p') (PyTorch wheel: oneMKL 2024.2, oneDNN 3.12). DJL: $(sed -n 's/^engine=\([^ ]*\) libtorch=\([^ ]*\) djl=\([^ ]*\).*/\1 engine \3 on LibTorch \2/p' "$tmp/check.txt")
from ai.djl.pytorch:pytorch-native-cpu (oneMKL 2024.0, oneDNN 3.7.1 per FIELD-NOTES), offline.
Threads: intra-op $intra, inter-op $inter on both (Fidelio's as LibTorch reports them; DJL's set by
ai.djl.pytorch.num_threads / num_interop_threads, confirmed by its check: $(grep -o 'intra_op_threads=[0-9]* inter_op_threads=[0-9]*' "$tmp/check.txt")).
Environment for both: OMP_NUM_THREADS=$OMP_NUM_THREADS OMP_WAIT_POLICY=$OMP_WAIT_POLICY MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX
MALLOC_MMAP_MAX_=$MALLOC_MMAP_MAX_ MALLOC_MMAP_THRESHOLD_=$MALLOC_MMAP_THRESHOLD_ MALLOC_TRIM_THRESHOLD_=$MALLOC_TRIM_THRESHOLD_ (the launcher's).
Both: JMH, 1 fork, 2 warm-up x 5 s, 5 measured x 5 s (unless JMH_ARGS says otherwise), mean ± 99.9% CI; float32, batch 32 x 128
random ids (seed 3, no padding), CPU. Ratio = DJL's time over Fidelio's (above 1: Fidelio faster).
DJL's training JVMs (check and step) run with \`$djl_train_gc\`: a garbage collection between
forward and backward corrupts DJL's gradients (benchmarks/djl/.../DjlTrainStep.java); Fidelio's use
the default G1 (its step is one native call and allocates next to nothing on the Java heap).

DJL's training check before timing (loss on the fixed batch, train mode with dropout, lr 1e-5):
\`$(grep -o 'loss_first=.*' "$tmp/check.txt")\` (means of the first two and last two of 6 steps).

| workload | round | Fidelio mean | DJL mean | DJL / Fidelio | Fidelio best | DJL best | DJL / Fidelio (best) |
|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${rows[@]}")

Over all rounds (mean DJL time / mean Fidelio time): trainable MiniLM step **$(ratio text)**,
frozen-encoder pass **$(ratio frozen)**. Best iterations over all rounds (the fastest measured JMH
iteration of each side, the least disturbed by other work on the machine): trainable step
**$(best_ratio text)** ($(printf '%.1f' "${best_d[text]}") vs $(printf '%.1f' "${best_f[text]}") ms), frozen pass **$(best_ratio frozen)** ($(printf '%.1f' "${best_d[frozen]}") vs $(printf '%.1f' "${best_f[frozen]}") ms).
MD
cat "$out"
