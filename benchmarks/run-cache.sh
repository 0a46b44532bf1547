#!/usr/bin/env bash
# Cached encoder embeddings vs the frozen encoder in every step, on the spam example's model
# (CachedEmbeddingsEpochBenchmark: one training epoch; CachedEmbeddingsEndToEndBenchmark: the
# whole 5-epoch experiment, preprocessing included). Same machine, same run, the launcher's
# environment. ROWS (default 320) rows of examples/spam/spam.csv keep it to a few minutes on 2
# cores. Writes benchmarks/results/cache-<date>.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/bin/lib/find-jdk.sh"
source "$root/bin/lib/setup.sh"
java_home="$(fidelio_find_jdk)"
"$root/bin/fidelio" --version >/dev/null
(cd "$root" && JAVA_HOME="$java_home" mvn -q -B package -DskipTests >/dev/null 2>&1)
fidelio_native_env
lib="$root/build/native/lib/libfidelio.so"
rows="${ROWS:-320}"
out="$root/benchmarks/results/cache-$(date +%F).md"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

for bench in CachedEmbeddingsEpochBenchmark CachedEmbeddingsEndToEndBenchmark; do
  echo "== $bench"
  "$java_home/bin/java" --enable-native-access=ALL-UNNAMED -jar "$root/benchmarks/target/benchmarks.jar" \
    -jvmArgsAppend "-Dfidelio.native.library=$lib -Dfidelio.root=$root" -p rows="$rows" \
    -foe true -rf json -rff "$tmp/$bench.json" "$bench" 2>&1 | tee "$tmp/$bench.log" | grep -v '|' | tail -12
done

/usr/bin/python3 - "$tmp" "$out" "$rows" <<'PY'
import json, os, subprocess, sys, datetime
tmp, out, rows = sys.argv[1], sys.argv[2], sys.argv[3]
def scores(name):
    res = {}
    for r in json.load(open(os.path.join(tmp, name + ".json"))):
        m = r["primaryMetric"]
        res[r["benchmark"].rsplit(".", 1)[1]] = (m["score"], m.get("scoreError", float("nan")), m["scoreUnit"], r["measurementIterations"])
    return res
epoch, e2e = scores("CachedEmbeddingsEpochBenchmark"), scores("CachedEmbeddingsEndToEndBenchmark")
def ms(x):  # -> milliseconds
    s, e, unit, n = x
    f = {"ms/op": 1.0, "s/op": 1000.0, "us/op": 0.001}[unit]
    return s * f, e * f, n
cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
fro, cac = ms(epoch["epochFrozenEncoder"]), ms(epoch["epochCachedEmbeddings"])
unc, inc, hit = ms(e2e["frozenEncoderEveryStep"]), ms(e2e["cachedEmbeddingsIncludingPreprocessing"]), ms(e2e["cachedEmbeddingsFromTheStore"])
env = " ".join(f"{k}={os.environ.get(k, 'unset')}" for k in ["OMP_NUM_THREADS", "OMP_WAIT_POLICY", "OPENBLAS_CORETYPE", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"])
err = lambda e: "" if e != e else f" ± {e:.1f}"
with open(out, "w") as f:
    f.write(f"""# Cached encoder embeddings: training epoch and whole experiment, {datetime.date.today()}

Command: `benchmarks/run-cache.sh` (ROWS={rows}; everything below measured in this one run).
Machine: {cpu}, {os.cpu_count()} cores, shared with other jobs; environment: {env} (the launcher's).
Model: examples/spam/config.yaml's (all-MiniLM-L6-v2 frozen, mean pooling, max_sequence_length 256,
concat combiner 128 units, dropout 0.1, batch 32, AdamW), on the first {rows} rows of examples/spam/spam.csv.

## One training epoch ({rows} rows, {int(rows) // 32} steps of 32; `CachedEmbeddingsEpochBenchmark`)

| variant | ms/epoch (JMH, ± 99.9% CI) | iterations |
|---|---|---|
| frozen encoder in every step | {fro[0]:.1f}{err(fro[1])} | {fro[2]} single shots after 1 warm-up |
| cached embeddings | {cac[0]:.3f}{err(cac[1])} | {cac[2]} x 2 s averaged after 2 x 2 s warm-up |
| **speed-up per epoch** | **{fro[0] / cac[0]:.0f}x** | goal >= 50x |

## Whole experiment, 5 epochs ({rows} rows split 70/10/20; `CachedEmbeddingsEndToEndBenchmark`)

Each run is `Experiment.run` as `fidelio experiment` calls it: preprocessing, 5 epochs each
followed by validation and test evaluation, saving the best model, final test predictions.
One single shot each (JMH SingleShotTime), in one JVM.

| variant | s | speed-up vs frozen encoder |
|---|---|---|
| frozen encoder in every step | {unc[0] / 1000:.1f} | 1.0x |
| cached embeddings, empty store (one-time encoder pass included) | {inc[0] / 1000:.1f} | {unc[0] / inc[0]:.1f}x |
| cached embeddings, entry found in the store | {hit[0] / 1000:.1f} | {unc[0] / hit[0]:.1f}x |
""")
print(open(out).read())
PY
