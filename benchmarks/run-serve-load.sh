#!/usr/bin/env bash
# Load test of `fidelio serve` on this machine (loopback only): REQUESTS POST /predict from CLIENTS
# concurrent clients (benchmarks/serve/ServeLoad.java), against the same model served twice in
# this run: with cross-request micro-batching (--max_batch_size 32) and without it (1, the baseline).
# The model: 400 rows of the spam example, frozen all-MiniLM-L6-v2, 64 tokens (trained here, ~1 min).
# Writes benchmarks/results/serve-<date>.md. MODEL=<model folder> skips the training.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/bin/lib/find-jdk.sh"
java_home="$(fidelio_find_jdk)"
requests="${REQUESTS:-2000}"
clients="${CLIENTS:-32}"
port="${PORT:-18765}"
out="${OUT:-$root/benchmarks/results/serve-$(date +%F).md}"
tmp="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# Texts of the spam example, one JSON string per line, and a 400-row training slice.
/usr/bin/python3 - "$root/examples/spam/spam.csv" "$tmp" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
with open(sys.argv[2] + "/texts.jsonl", "w") as f:
    for r in rows[400:900]:
        f.write(json.dumps(r["text"]) + "\n")
with open(sys.argv[2] + "/train.jsonl", "w") as f:
    for r in rows[:400]:
        f.write(json.dumps({"text": r["text"], "label": r["label"]}) + "\n")
PY
model="${MODEL:-}"
if [[ -z "$model" ]]; then
  cat >"$tmp/config.yaml" <<'YAML'
input_features:
  - name: text
    type: text
    encoder: {type: auto_transformer, pretrained_model_name_or_path: sentence-transformers/all-MiniLM-L6-v2,
              trainable: false, reduce_output: mean}
    preprocessing: {max_sequence_length: 64, cache_encoder_embeddings: true}
output_features:
  - {name: label, type: category}
combiner: {type: concat, num_fc_layers: 1, output_size: 64}
trainer: {epochs: 5, batch_size: 32, learning_rate: 0.002}
YAML
  "$root/bin/fidelio" train --config "$tmp/config.yaml" --dataset "$tmp/train.jsonl" \
    --output_directory "$tmp/results" >"$tmp/train.log" 2>&1
  model="$(ls -d "$tmp"/results/*/model | head -1)"
fi

# Runs one server configuration; prints ServeLoad's result line.
measure() {
  local batch="$1"
  "$root/bin/fidelio" serve --model_path "$model" --port "$port" --max_batch_size "$batch" \
    >"$tmp/serve-$batch.log" 2>&1 &
  server_pid=$!
  local waited=0
  until curl -sf "http://127.0.0.1:$port/" >/dev/null 2>&1; do
    if ! kill -0 "$server_pid" 2>/dev/null || (( waited >= 600 )); then
      echo "the server did not come up; its log:" >&2; cat "$tmp/serve-$batch.log" >&2; exit 1
    fi
    sleep 1; waited=$((waited + 1))
  done
  "$java_home/bin/java" "$root/benchmarks/serve/ServeLoad.java" "http://127.0.0.1:$port" "$requests" "$clients" \
    "$tmp/texts.jsonl" | tee "$tmp/load-$batch.txt" >&2
  curl -sf "http://127.0.0.1:$port/" >/dev/null  # still up after the load
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
  grep '^requests=' "$tmp/load-$batch.txt"
}
field() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p" <<<"$1"; }

# ORDER=unbatched-first measures the baseline first (the other order's check on warm-up effects).
if [[ "${ORDER:-batched-first}" == unbatched-first ]]; then
  single="$(measure 1)"; batched="$(measure 32)"
else
  batched="$(measure 32)"; single="$(measure 1)"
fi
row() {
  echo "| $1 | $(field "$2" ok) | $(field "$2" errors) | $(field "$2" p50_ms) | $(field "$2" p90_ms) |" \
    "$(field "$2" p99_ms) | $(field "$2" max_ms) | $(field "$2" throughput) |"
}
cat >"$out" <<MD
# fidelio serve under load, $(date +%F)

Command: \`benchmarks/run-serve-load.sh\` (REQUESTS=$requests CLIENTS=$clients ORDER=${ORDER:-batched-first}; both rows
measured in this one run).
Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores (shared with other work), loopback.
Model: all-MiniLM-L6-v2 (frozen) + concat combiner (64) + category head, max_sequence_length 64,
trained on 400 rows of the spam example. Requests: POST /predict, urlencoded form, one email text
each (500 different texts, truncated by the tokenizer to 64 tokens), after ${clients}x2 warm-up requests.
Client: benchmarks/serve/ServeLoad.java (JDK HttpClient, one thread per client, closed loop).

| server | ok | errors | p50 ms | p90 ms | p99 ms | max ms | requests/s |
|---|---|---|---|---|---|---|---|
$(row "micro-batching (--max_batch_size 32, --max_batch_delay_ms 2)" "$batched")
$(row "baseline: no batching (--max_batch_size 1)" "$single")

**Throughput ratio, batched over unbatched: $(awk -v a="$(field "$batched" throughput)" -v b="$(field "$single" throughput)" 'BEGIN{printf "%.2f", a/b}')x.**

Errors are counted in the table; the server answered GET / after each run (checked).
Load average at the end of the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores.
MD
cat "$out"
if [[ "$(field "$batched" errors)" != 0 || "$(field "$single" errors)" != 0 ]]; then
  echo "requests failed: see the error lines above" >&2; exit 1
fi
