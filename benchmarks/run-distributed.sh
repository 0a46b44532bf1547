#!/usr/bin/env bash
# Data-parallel benchmark: (1) all-reduce bandwidth of the c10d Gloo process group between 2
# processes on this machine; (2) training samples/s on the spam example with 1 process and with 2
# workers, each process 1 intra-op thread, same global batch (16), full fine-tuning of MiniLM on a
# 512-row sample (sequence length 64, 1 epoch). "training s" is description.json's
# training_seconds: train steps, the validation pass every rank runs and, for 1 process, the
# checkpoint a data-parallel run does not write; "steps only" is the epoch's progress line (train
# steps alone). Each repeat runs one 1-process / 2-process pair back to back.
# Usage: benchmarks/run-distributed.sh [repeats=1]
#   (after mvn package; writes benchmarks/results/distributed-<date>.md)
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
repeats="${1:-1}"
out="$root/benchmarks/results/distributed-$(date +%F).md"
exec > >(tee "$out")

echo "# Data-parallel training on c10d (Gloo), $(date +%F)"
echo
echo "Command: \`benchmarks/run-distributed.sh $repeats\`, $(date -u +%H:%M) UTC. Machine: $(nproc) cores,"
echo "$(uname -m); load before the run: $(uptime | sed 's/.*load/load/'). Every number below is from this run."
echo
echo "### all-reduce, 2 processes, Gloo over loopback (float64 buffers)"
"$root/build/native/bin/fidelio_allreduce_driver" 2 10

config() {  # $1 batch size per worker, $2 workers
  cat > "$work/config-$2.yaml" <<YAML
input_features:
  - name: text
    type: text
    encoder: {type: auto_transformer, pretrained_model_name_or_path: sentence-transformers/all-MiniLM-L6-v2,
              trainable: true, reduce_output: mean}
    preprocessing: {max_sequence_length: 64}
output_features:
  - {name: label, type: category}
trainer: {epochs: 1, batch_size: $1, learning_rate: 0.00002, learning_rate_scaling: constant}
preprocessing: {sample_size: 512, split: {type: random, probabilities: [0.9, 0.1, 0.0]}}
backend: {type: local, trainer: {strategy: ddp, num_workers: $2}}
YAML
}

echo
echo "### training samples/s, spam sample (512 rows), global batch 16"
echo "| processes | intra-op threads each | training s | samples/s (training s) | samples/s (steps only) |"
echo "|---|---|---|---|---|"
for _ in $(seq "$repeats"); do
  for n in 1 2; do
    config $((16 / n)) "$n"
    OMP_NUM_THREADS=1 "$root/bin/fidelio" train --config "$work/config-$n.yaml" \
      --dataset "$root/examples/spam/spam.csv" --output_directory "$work/out-$n" > "$work/log-$n" 2>&1 \
      || { cat "$work/log-$n"; exit 1; }
    python3 - "$work/out-$n/experiment_run/description.json" "$n" "$work/log-$n" "$work/rates" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
t = d["training"]
rows = d["split"]["training"] * t["epochs_run"]
seconds = t["training_seconds"]
steps = re.findall(r"epoch 1/1 \[=+\] .* ([0-9.]+) samples/s", open(sys.argv[3]).read())
threads = d["runtime"].get("intra_op_threads", "?")
print(f"| {sys.argv[2]} | {threads} | {seconds:.1f} | {rows / seconds:.1f} | {steps[-1] if steps else '?'} |")
open(sys.argv[4], "a").write(f"{rows / seconds} {steps[-1] if steps else 'nan'}\n")
PY
    rm -rf "$work/out-$n"
  done
done
python3 - "$work/rates" <<'PY'
import sys
rates = [tuple(map(float, line.split())) for line in open(sys.argv[1])]
print()
for i in range(0, len(rates) - 1, 2):
    (one, one_steps), (two, two_steps) = rates[i], rates[i + 1]
    print(f"Ratio 2 processes / 1 process, pair {i // 2 + 1}: {two / one:.2f}x samples/s (training s), "
          f"{two_steps / one_steps:.2f}x (steps only); each process 1 intra-op thread.")
PY
echo
echo "Load after the run: $(uptime | sed 's/.*load/load/')."
