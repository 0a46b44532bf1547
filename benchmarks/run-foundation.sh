#!/usr/bin/env bash
# Foundation benchmarks, one run, one machine, ratios against baselines measured in the same run:
#  1. MLP train step driven from Java (JMH) vs the same step from the C++ driver.
#  2. The cost of one downcall (JMH).
#  3. The launcher's native environment (bin/lib/setup.sh) vs a bare one on the MLP step,
#     quiet and with one busy background core, and each setting alone.
# Writes benchmarks/results/foundation-<date>.md. Usage: benchmarks/run-foundation.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/bin/lib/find-jdk.sh"
source "$root/bin/lib/setup.sh"
java_home="$(fidelio_find_jdk)"
"$root/bin/fidelio" --version >/dev/null # builds what is stale
(cd "$root" && JAVA_HOME="$java_home" mvn -q -B package -DskipTests >/dev/null 2>&1)

driver="$root/build/native/bin/fidelio_mlp_step_driver"
# The MLP scaffold is a test hook: the library with the hooks runs this benchmark.
lib="$root/build/native/lib/libfidelio_testing.so"
out="$root/benchmarks/results/foundation-$(date +%F).md"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"; kill $(jobs -p) 2>/dev/null || true' EXIT

# The launcher's environment as it would be on this machine with nothing preset.
launcher_env() { env -u OPENBLAS_CORETYPE -u OMP_WAIT_POLICY -u OMP_NUM_THREADS -u MALLOC_MMAP_THRESHOLD_ \
  -u MALLOC_TRIM_THRESHOLD_ -u MALLOC_ARENA_MAX -u MALLOC_MMAP_MAX_ bash -c "source '$root/bin/lib/setup.sh'; fidelio_native_env; echo \
  OMP_WAIT_POLICY=\$OMP_WAIT_POLICY OMP_NUM_THREADS=\$OMP_NUM_THREADS OPENBLAS_CORETYPE=\$OPENBLAS_CORETYPE \
  MALLOC_MMAP_THRESHOLD_=\$MALLOC_MMAP_THRESHOLD_ MALLOC_TRIM_THRESHOLD_=\$MALLOC_TRIM_THRESHOLD_ MALLOC_ARENA_MAX=\$MALLOC_ARENA_MAX MALLOC_MMAP_MAX_=\$MALLOC_MMAP_MAX_"; }
read -r -a LAUNCHER <<<"$(launcher_env)"
BARE=(-u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE -u OMP_WAIT_POLICY -u OMP_NUM_THREADS -u MALLOC_MMAP_THRESHOLD_
  -u MALLOC_TRIM_THRESHOLD_ -u MALLOC_ARENA_MAX -u MALLOC_MMAP_MAX_)

median_ms() { sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p'; }
run_driver() { env "${BARE[@]}" "$@" "$driver" 20 150 | tee -a "$tmp/driver.txt" | median_ms; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

echo "== JMH: Java-driven MLP step and downcall cost"
(cd "$root" && env "${BARE[@]}" "${LAUNCHER[@]}" "$java_home/bin/java" --enable-native-access=ALL-UNNAMED \
  -Dfidelio.native.library="$lib" -jar benchmarks/target/benchmarks.jar \
  -jvmArgsAppend "-Dfidelio.native.library=$lib" -rf json -rff "$tmp/jmh.json" \
  'MlpTrainStepBenchmark|DowncallBenchmark' | tee "$tmp/jmh.txt")
# JMH's summary table: Benchmark Mode Cnt Score ± Error Units
score() { awk -v name="$1" '$1 == name { print $4 }' "$tmp/jmh.txt"; }
error() { awk -v name="$1" '$1 == name { print $6 }' "$tmp/jmh.txt"; }
java_ms="$(score MlpTrainStepBenchmark.trainStep)"
java_err="$(error MlpTrainStepBenchmark.trainStep)"
bare_ns="$(score DowncallBenchmark.bareDowncall) ± $(error DowncallBenchmark.bareDowncall)"
checked_ns="$(score DowncallBenchmark.checkedCallWithErrorBuffer) ± $(error DowncallBenchmark.checkedCallWithErrorBuffer)"

echo "== C++ driver, same environment, right after"
# As many warm-up steps as JMH's warm-up runs, so both measure a warmed-up process.
cpp_out="$(env "${BARE[@]}" "${LAUNCHER[@]}" "$driver" 700 500)"
echo "$cpp_out"
cpp_mean="$(sed -n 's/.*mean_ms=\([0-9.]*\).*/\1/p' <<<"$cpp_out")"

echo "== launcher environment vs bare"
quiet_bare="$(run_driver)"
quiet_launcher="$(run_driver "${LAUNCHER[@]}")"
quiet_passive="$(run_driver OMP_WAIT_POLICY=PASSIVE)"
quiet_threads="$(run_driver OMP_NUM_THREADS="$(nproc)")"
declare -A kernels
for k in Prescott Haswell SkylakeX; do kernels[$k]="$(run_driver OPENBLAS_CORETYPE=$k OMP_WAIT_POLICY=PASSIVE)"; done
# One core kept busy, as by a data loader or anything else on a 2-core machine.
(while :; do :; done) &
busy=$!
loaded_bare="$(run_driver)"
loaded_launcher="$(run_driver "${LAUNCHER[@]}")"
loaded_passive="$(run_driver OMP_WAIT_POLICY=PASSIVE)"
loaded_threads="$(run_driver OMP_NUM_THREADS="$(nproc)")"
kill $busy

# What the bare environment really ran with, as the library reported it (first bare run).
bare_kernel="$(head -n1 "$tmp/driver.txt" | sed -n 's/.*blas_kernel=\([^ ]*\) threads=\([0-9?]*\).*/\1, \2 intra-op thread(s)/p')"
cat >"$out" <<MD
# Foundation benchmarks, $(date +%F)

Command: \`benchmarks/run-foundation.sh\` (one run; ratios are within this run).
Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB,
LibTorch $(env "${BARE[@]}" "$root/bin/fidelio" --version | sed -n 's/^LibTorch //p'), $("$java_home/bin/java" -version 2>&1 | head -1).
Launcher environment: ${LAUNCHER[*]}.
MLP step: batch 256, 512 -> 1024 -> 1024 -> 10, cross-entropy, multi-tensor AdamW, float32.

## Java-driven step vs the C++ driver (launcher environment)

| driver | ms/step |
|---|---|
| C++ driver (mean of 500 steps) | $cpp_mean |
| Java through FFM, JMH (mean ± 99.9% CI) | $java_ms ± $java_err |
| **ratio Java / C++** | **$(ratio "$java_ms" "$cpp_mean")** |

## Downcall cost (JMH, ns/op)

| call | ns |
|---|---|
| bare downcall \`fdl_abi_version\` | $bare_ns |
| fallible call: error buffer + status check (\`fdl_runtime_device_count\`) | $checked_ns |

## Launcher environment on the MLP step (C++ driver, median ms of 150 steps)

| environment | quiet machine | one core busy |
|---|---|---|
| bare (libgomp, OpenBLAS and LibTorch defaults: $bare_kernel) | $quiet_bare | $loaded_bare |
| OMP_WAIT_POLICY=PASSIVE only | $quiet_passive | $loaded_passive |
| OMP_NUM_THREADS=$(nproc) only (libgomp spins while waiting) | $quiet_threads | $loaded_threads |
| launcher (${LAUNCHER[*]}) | $quiet_launcher | $loaded_launcher |
| **ratio bare / launcher** | **$(ratio "$quiet_bare" "$quiet_launcher")** | **$(ratio "$loaded_bare" "$loaded_launcher")** |

OpenBLAS kernel forced (with OMP_WAIT_POLICY=PASSIVE, quiet): Prescott ${kernels[Prescott]} ms,
Haswell ${kernels[Haswell]} ms, SkylakeX ${kernels[SkylakeX]} ms.
MD
echo "wrote $out"
cat "$out"
