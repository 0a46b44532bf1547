#!/usr/bin/env bash
# Throughput where the model is small (issue 24): whole `fidelio` runs against their PyTorch 2.x
# eager twins (benchmarks/python/train_loop.py, frozen_pass.py), in the same run, alternating.
#   head     the spam example's cached-embedding head (384 -> 2, AdamW, batch 32, 200 epochs,
#            skip_all_evaluation, one checkpoint at the end): training steps/s
#   tabular  examples/tabular (150 epochs, same settings): training steps/s
#   frozen   the frozen-encoder pass of cache_encoder_embeddings over the first FROZEN_ROWS rows of
#            spam.csv (max_sequence_length 256), `fidelio preprocess` into an empty store: rows/s
# Each pair runs ROUNDS times (default 2), Fidelio then PyTorch; the best of each counts.
# Writes benchmarks/results/small-models-<date>.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/bin/lib/setup.sh"
source "$root/benchmarks/python/torch2-venv.sh"
"$root/bin/fidelio" --version >/dev/null
fidelio_native_env
py="$(fidelio_torch2_python "$root")"
"$py" -c 'import tokenizers' 2>/dev/null || PIP_RETRIES=0 "$py" -m pip install -q tokenizers >&2
bench="$root/benchmarks/python"
out="$root/benchmarks/results/small-models-$(date +%F).md"
rounds="${ROUNDS:-2}"
frozen_rows="${FROZEN_ROWS:-600}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
started="$(date -u '+%F %H:%M UTC')"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

# The examples' configs without evaluation and with one checkpoint at the end; the spam head without
# fc layers (384 -> 2, as in the issue and the twin).
config_for() {  # config_for EXAMPLE_CONFIG OUT EPOCHS HEAD_ONLY
  "$py" - "$@" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
if sys.argv[4] == "1":
    text = re.sub(r"(?m)^combiner:\n(  .*\n)+", "combiner:\n  type: concat\n", text)
text = re.sub(r"(?m)^  (epochs|early_stop|steps_per_checkpoint|skip_all_evaluation): .*\n", "", text)
text = re.sub(r"(?m)^trainer:\n", "trainer:\n  epochs: %s\n  skip_all_evaluation: true\n"
              "  steps_per_checkpoint: 1000000\n" % sys.argv[3], text)
open(sys.argv[2], "w").write(text)
PY
}
config_for "$root/examples/spam/config.yaml" "$tmp/head.yaml" 200 1
config_for "$root/examples/tabular/config.yaml" "$tmp/tabular.yaml" 150 0

steps_per_s() {  # steps_per_s RESULTS: steps / training seconds from description.json
  "$py" -c 'import json,sys; t=json.load(open(sys.argv[1]))["training"]; print("%.0f" % (t["steps"] / t["training_seconds"]))' \
    "$1/experiment_run/description.json"
}
train_rows() {
  "$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["split"]["training"])' "$1/experiment_run/description.json"
}
best() { tr ' ' '\n' | grep -v '^$' | sort -g | tail -1; }
rows=()

for workload in head tabular; do
  data="$root/examples/spam/spam.csv"; [ "$workload" = tabular ] && data="$root/examples/tabular/cars.csv"
  epochs=200; [ "$workload" = tabular ] && epochs=150
  f="" p=""
  for r in $(seq "$rounds"); do
    rm -rf "$tmp/$workload-results"
    "$root/bin/fidelio" train --config "$tmp/$workload.yaml" --dataset "$data" \
      --output_directory "$tmp/$workload-results" >"$tmp/$workload-$r.log" 2>&1
    f="$f $(steps_per_s "$tmp/$workload-results")"
    n="$(train_rows "$tmp/$workload-results")"
    p="$p $("$py" "$bench/train_loop.py" "$workload" "$n" "$epochs" 32 | tee -a "$tmp/python.txt" |
      sed -n 's/.*steps_per_s=\([0-9.]*\).*/\1/p')"
    echo "$workload round $r: fidelio $f / pytorch $p steps/s"
  done
  fb="$(echo "$f" | best)"; pb="$(echo "$p" | best)"
  rows+=("| $workload training ($n rows, $epochs epochs, batch 32) | steps/s | $fb (runs:$f) | $pb (runs:$p) | **$(awk -v a="$fb" -v b="$pb" 'BEGIN{printf "%.2f", a/b}')** |")
done

# The frozen pass: the first rows of spam.csv, an empty store each time.
"$py" - "$root/examples/spam/spam.csv" "$tmp/slice.csv" "$frozen_rows" <<'PY'
import csv, sys
csv.field_size_limit(1 << 30)
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))[: int(sys.argv[3])]
w = csv.DictWriter(open(sys.argv[2], "w", newline="", encoding="utf-8"), fieldnames=["text", "label"])
w.writeheader()
w.writerows({"text": r["text"], "label": r["label"]} for r in rows)
PY
tokenizer="$tmp/head-results/experiment_run/model/text_tokenizer.json"
[ -f "$tokenizer" ] || tokenizer="$(ls "$tmp"/head-results/experiment_run/model/*tokenizer*.json | head -1)"
f="" p=""
for r in $(seq "$rounds"); do
  rm -rf "$tmp/store"
  "$root/bin/fidelio" preprocess --config "$root/examples/spam/config.yaml" --dataset "$tmp/slice.csv" \
    --cache_dir "$tmp/store" >"$tmp/frozen-$r.log" 2>&1 || { cat "$tmp/frozen-$r.log"; exit 1; }
  line="$(grep -o 'encoder outputs cached for [0-9]* rows in [0-9.]* s (batches of [0-9]*)' "$tmp/frozen-$r.log")"
  read -r n s b <<<"$(sed 's/.*for \([0-9]*\) rows in \([0-9.]*\) s (batches of \([0-9]*\)).*/\1 \2 \3/' <<<"$line")"
  f="$f $(awk -v n="$n" -v s="$s" 'BEGIN{printf "%.2f", n/s}')"
  p="$p $(cd "$bench" && "$py" frozen_pass.py "$tokenizer" "$tmp/slice.csv" text 256 "$b" 1 | tee -a "$tmp/python.txt" |
    sed -n 's/.*rows_per_s=\([0-9.]*\).*/\1/p')"
  echo "frozen round $r: fidelio $f / pytorch $p rows/s (batches of $b)"
done
fb="$(echo "$f" | best)"; pb="$(echo "$p" | best)"
rows+=("| frozen-encoder pass ($n spam texts, max 256 tokens, batches of $b, cold) | rows/s | $fb (runs:$f) | $pb (runs:$p) | **$(awk -v a="$fb" -v b="$pb" 'BEGIN{printf "%.2f", a/b}')** |")

{
  echo "# Small models: Fidelio vs PyTorch eager, whole runs ($(date +%F))"
  echo
  echo "Command: \`benchmarks/run-small-models.sh\` (ROUNDS=$rounds, FROZEN_ROWS=$frozen_rows)"
  echo "Machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; started $started;" \
    "load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "Fidelio: $("$root/bin/fidelio" --version 2>/dev/null | grep '^LibTorch' | cut -c1-120)"
  echo "PyTorch: $(head -1 "$tmp/python.txt" | grep -o 'torch=[^ ]*') from the same wheel; threads as the launcher sets them"
  echo
  echo "| workload | unit | Fidelio (best) | PyTorch eager (best) | Fidelio / PyTorch |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Higher is better; a ratio above 1 means Fidelio is faster. Fidelio's steps/s are steps over the"
  echo "run's training seconds (description.json), which include the final model save; PyTorch's loop"
  echo "saves nothing. The frozen pass is one cold pass on each side, the texts tokenized by the same"
  echo "tokenizer.json and sorted by length, each batch padded to its longest row."
  echo
  echo '```'
  cat "$tmp/python.txt"
  echo '```'
} >"$out"
cat "$out"
