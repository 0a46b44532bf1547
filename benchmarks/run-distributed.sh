#!/usr/bin/env bash
# Data-parallel benchmark: (1) all-reduce bandwidth of the c10d Gloo process group between 2
# processes on this machine; (2) training samples/s on the spam example with 1 process and with 2
# workers, each process 1 intra-op thread, same global batch (16), full fine-tuning of MiniLM on a
# 512-row sample (sequence length 64, 1 epoch; training_seconds from description.json, which
# includes the per-epoch validation pass every rank runs).
# Usage: benchmarks/run-distributed.sh   (after mvn package; writes benchmarks/results/distributed-<date>.md)
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
out="$root/benchmarks/results/distributed-$(date +%F).md"
exec > >(tee "$out")

echo "# Data-parallel training on c10d (Gloo), $(date +%F)"
echo
echo "Command: \`benchmarks/run-distributed.sh\`. Machine: $(nproc) cores, $(uname -m); load before the run:"
echo "$(uptime | sed 's/.*load/load/'). Both rows of the training table ran back to back in this run."
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
echo "| processes | training s | samples/s |"
echo "|---|---|---|"
for n in 1 2; do
  config $((16 / n)) "$n"
  OMP_NUM_THREADS=1 "$root/bin/fidelio" train --config "$work/config-$n.yaml" --dataset "$root/examples/spam/spam.csv" \
    --output_directory "$work/out-$n" > "$work/log-$n" 2>&1 || { cat "$work/log-$n"; exit 1; }
  python3 - "$work/out-$n/experiment_run/description.json" "$n" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
t = d["training"]
rows = d["split"]["training"] * t["epochs_run"]
seconds = t["training_seconds"]
print(f"| {sys.argv[2]} | {seconds:.1f} | {rows / seconds:.1f} |")
open(sys.argv[1] + ".rate", "w").write(str(rows / seconds))
PY
done
python3 - "$work/out-1/experiment_run/description.json.rate" "$work/out-2/experiment_run/description.json.rate" <<'PY'
import sys
one, two = (float(open(p).read()) for p in sys.argv[1:])
print(f"\nRatio 2 processes / 1 process: {two / one:.2f}x samples/s (each process 1 intra-op thread).")
PY
