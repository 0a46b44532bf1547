#!/usr/bin/env bash
# use_mixed_precision on CPU (bf16 autocast) against fp32: the spam example's full fine-tuning
# (trainable all-MiniLM-L6-v2) on a sample, same seed and split, one run each, back to back.
# Reads each run's description.json (training seconds, LibTorch's peak CPU bytes, process peak
# RSS) and test_statistics.json (accuracy). Writes benchmarks/results/trainer-<date>.md.
# SAMPLE (rows, default 600), EPOCHS (default 2), LENGTH (max_sequence_length, default 64).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sample="${SAMPLE:-600}"
epochs="${EPOCHS:-2}"
length="${LENGTH:-64}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
out="$root/benchmarks/results/trainer-$(date +%F).md"

for precision in fp32 bf16; do
  mixed=false
  [ "$precision" = bf16 ] && mixed=true
  cat > "$tmp/$precision.yaml" <<YAML
input_features:
  - name: text
    type: text
    encoder: {type: auto_transformer, pretrained_model_name_or_path: sentence-transformers/all-MiniLM-L6-v2,
              trainable: true, reduce_output: mean}
    preprocessing: {max_sequence_length: $length}
output_features:
  - {name: label, type: category}
preprocessing: {sample_size: $sample}
trainer:
  epochs: $epochs
  batch_size: 16
  learning_rate: 0.00005
  early_stop: -1
  use_mixed_precision: $mixed
  learning_rate_scheduler: {warmup_fraction: 0.1, decay: linear}
  optimizer: {type: adamw}
YAML
  echo "== $precision"
  "$root/bin/fidelio" experiment --config "$tmp/$precision.yaml" --dataset "$root/examples/spam/spam.csv" \
    --output_directory "$tmp/results" --experiment_name "$precision" --random_seed 42 --cache_dir "$tmp/store"
done

python3 - "$tmp/results" "$out" "$sample" "$epochs" "$length" <<'PY'
import json, sys, os, platform, datetime
results, out, sample, epochs, length = sys.argv[1:]
rows = {}
for p in ("fp32", "bf16"):
    d = json.load(open(os.path.join(results, p + "_run", "description.json")))
    t = json.load(open(os.path.join(results, p + "_run", "test_statistics.json")))
    rows[p] = dict(seconds=d["training"]["training_seconds"], torch_peak=d["memory"]["torch_cpu_peak_bytes"],
                   training_peak=d["memory"]["torch_cpu_training_peak_above_start_bytes"],
                   rss=d["memory"]["process_peak_rss_bytes"], accuracy=t["label"]["accuracy"], loss=t["label"]["loss"])
f, b = rows["fp32"], rows["bf16"]
with open(out, "w") as o:
    o.write(f"""# Trainer: bf16 mixed precision on CPU vs fp32 ({datetime.date.today()})

Command: `SAMPLE={sample} EPOCHS={epochs} LENGTH={length} benchmarks/run-mixed-precision.sh`
(spam example, {sample}-row sample, split 70/10/20, full fine-tuning of all-MiniLM-L6-v2,
max_sequence_length {length}, batch 16, AdamW 5e-5, {epochs} epochs, seed 42; one run each, back to back).
Machine: {platform.node()}, {os.cpu_count()} cores (shared with other jobs: timings are noisy), LibTorch 1.13 CPU.

| precision | training s | training peak MiB | LibTorch run peak MiB | process peak RSS MiB | test accuracy | test loss |
|---|---|---|---|---|---|---|
| fp32 | {f['seconds']:.1f} | {f['training_peak']/2**20:.1f} | {f['torch_peak']/2**20:.1f} | {f['rss']/2**20:.0f} | {f['accuracy']:.4f} | {f['loss']:.4f} |
| bf16 autocast | {b['seconds']:.1f} | {b['training_peak']/2**20:.1f} | {b['torch_peak']/2**20:.1f} | {b['rss']/2**20:.0f} | {b['accuracy']:.4f} | {b['loss']:.4f} |

Ratios bf16 / fp32: time {b['seconds']/f['seconds']:.2f}, training peak memory {b['training_peak']/f['training_peak']:.2f},
LibTorch run peak {b['torch_peak']/f['torch_peak']:.2f}, process peak RSS {b['rss']/f['rss']:.2f};
accuracy difference {100*(b['accuracy']-f['accuracy']):+.2f} points.

Training peak: LibTorch CPU bytes at the training peak above those in use when training started
(activations, gradients, optimizer state, autocast's bf16 weight copies), from Fidelio's counting
allocator (fdl_runtime_memory_stats, reset when training starts). LibTorch run peak: the same
allocator over the whole run, whose peak is reached while loading and copying the pretrained
weights. Process peak RSS is VmHWM and includes the JVM.
""")
print(open(out).read())
PY
