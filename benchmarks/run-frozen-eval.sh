#!/usr/bin/env bash
# trainer.compile on the CPU: the evaluation forward eager vs the frozen TorchScript copy, for a
# text and an image model, in one JMH run (FrozenEvaluationBenchmark). Writes
# benchmarks/results/compile-cpu-<date>.md with the ratio eager/frozen per model.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/bin/lib/find-jdk.sh"
source "$root/bin/lib/setup.sh"
java_home="$(fidelio_find_jdk)"
"$root/bin/fidelio" --version >/dev/null
(cd "$root" && JAVA_HOME="$java_home" mvn -q -B package -DskipTests >/dev/null 2>&1)
fidelio_native_env
lib="$root/build/native/lib/libfidelio.so"
out="$root/benchmarks/results/compile-cpu-$(date +%F).md"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

"$java_home/bin/java" --enable-native-access=ALL-UNNAMED -jar "$root/benchmarks/target/benchmarks.jar" \
  -jvmArgsAppend "-Dfidelio.native.library=$lib" -wi 2 -w 3s -i 5 -r 3s FrozenEvaluationBenchmark | tee "$tmp/jmh.txt"
# JMH rows: Benchmark (compile) (model) Mode Cnt Score Error Units
ms() { awk -v c="$1" -v m="$2" '$1 ~ /FrozenEvaluationBenchmark.evaluate/ && $2 == c && $3 == m { print $6 }' "$tmp/jmh.txt"; }
err() { awk -v c="$1" -v m="$2" '$1 ~ /FrozenEvaluationBenchmark.evaluate/ && $2 == c && $3 == m { print $8 }' "$tmp/jmh.txt"; }
row() {
  local model="$1" eager frozen
  eager="$(ms false "$model")"; frozen="$(ms true "$model")"
  printf '| %s | %s ± %s | %s ± %s | %.2fx |\n' "$model" "$eager" "$(err false "$model")" "$frozen" \
    "$(err true "$model")" "$(awk -v a="$eager" -v b="$frozen" 'BEGIN { print a / b }')"
}
cat >"$out" <<MD
# trainer.compile on the CPU: frozen TorchScript evaluation vs eager, $(date +%F)

Command: \`benchmarks/run-frozen-eval.sh\` (JMH FrozenEvaluationBenchmark, both variants in this one run).
Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, LibTorch $(
  "$root/bin/fidelio" check_install 2>/dev/null | sed -n 's/.*libtorch[^0-9]*\([0-9.]*\).*/\1/ip' | head -1) (Debian), float32;
the launcher's thread and allocator environment (bin/lib/setup.sh).
One evaluation batch (forward, softmax, copy to the host): text = all-MiniLM-L6-v2's shape (6 layers,
hidden 384), batch 32, sequence 128, mean pooling; image = ResNet-18, batch 16, 3x224x224. Weights
fixed, so the frozen copy (torch::jit::freeze + optimize_for_inference) is made once, in warm-up.

| model | eager ms/batch | frozen ms/batch | speed-up (eager / frozen) |
|---|---|---|---|
$(row text)
$(row image)
MD
cat "$out"
