#!/usr/bin/env bash
# Trainable text-family train steps, Fidelio against PyTorch eager, one family at a time in
# lock-step (benchmarks/resnet_lockstep.py): the plain-PyTorch references of native/tests/reference
# (written from HF's modeling code; benchmarks/python/text_family_step.py, run on PyTorch 2.x from
# the wheel Fidelio builds on: torch2-venv.sh) against Fidelio's native step from C++
# (fidelio_text_step_driver). Same config.json fields, cls_pooled (pooler, else the first token),
# a 2-class head, cross-entropy, clipping 0.5, AdamW, random ids under a full mask.
# FAMILIES (default: all ten model_types), BATCH (32), LENGTH (128), STEPS (3), WARMUP (1); the
# configs are the hub's base checkpoints' (below) with every dropout at 0, because the references
# carry no dropout (they were written for evaluation-mode parity). TINY=1 shrinks every family to
# 2-3 layers of hidden width 32, vocabularies and embedding widths unchanged (a smoke test of the
# whole pipeline: about a minute at BATCH=2 LENGTH=16 STEPS=1 WARMUP=1).
# Full size (batch 32) needs up to 14 GB per process: ALONE (default "modernbert"; "" for none) names
# the families whose two processes run one after the other (resnet_lockstep.py --one-at-a-time), as
# both of ModernBERT's (14 + 9 GB) do not fit a 24 GB machine at once. A family whose run fails (the
# kernel killing it for memory, say) gets a row saying so; the others still run.
# Writes benchmarks/results/text-families-<date>.md (or $OUT).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/bin/lib/setup.sh"
source "$root/benchmarks/python/torch2-venv.sh"
cmake --build "$root/build/native" --target fidelio_text_step_driver >/dev/null
fidelio_native_env
py="$(fidelio_torch2_python "$root")"
out="${OUT:-$root/benchmarks/results/text-families-$(date +%F).md}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
families="${FAMILIES:-bert roberta xlm-roberta camembert electra distilbert albert mpnet deberta-v2 modernbert}"
batch="${BATCH:-32}" length="${LENGTH:-128}" steps="${STEPS:-3}" warmup="${WARMUP:-1}"
alone="${ALONE-modernbert}"
started="$(date -u '+%F %H:%M UTC')"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

bert_base="hidden_size=768 num_hidden_layers=12 num_attention_heads=12 intermediate_size=3072 hidden_act=gelu
  hidden_dropout_prob=0 attention_probs_dropout_prob=0"
roberta_base="$bert_base max_position_embeddings=514 type_vocab_size=1 layer_norm_eps=1e-5 pad_token_id=1"
config() {  # config.json fields of the family's base checkpoint (dropout 0, see above)
  case "$1" in
    bert) echo "$bert_base vocab_size=30522 max_position_embeddings=512 type_vocab_size=2 layer_norm_eps=1e-12
      pad_token_id=0" ;;  # bert-base-uncased
    roberta) echo "$roberta_base vocab_size=50265" ;;
    xlm-roberta) echo "$roberta_base vocab_size=250002" ;;
    camembert) echo "$roberta_base vocab_size=32005" ;;
    electra) echo "$bert_base vocab_size=30522 embedding_size=768 max_position_embeddings=512 type_vocab_size=2
      layer_norm_eps=1e-12 pad_token_id=0" ;;  # electra-base-discriminator
    distilbert) echo "vocab_size=30522 dim=768 n_layers=6 n_heads=12 hidden_dim=3072 activation=gelu
      max_position_embeddings=512 sinusoidal_pos_embds=false pad_token_id=0 dropout=0 attention_dropout=0" ;;
    albert) echo "$bert_base vocab_size=30000 embedding_size=128 num_hidden_groups=1 inner_group_num=1
      hidden_act=gelu_new max_position_embeddings=512 type_vocab_size=2 layer_norm_eps=1e-12 pad_token_id=0" ;;
    mpnet) echo "$bert_base vocab_size=30527 max_position_embeddings=514 relative_attention_num_buckets=32
      layer_norm_eps=1e-5 pad_token_id=1" ;;
    deberta-v2) echo "$bert_base vocab_size=128100 max_position_embeddings=512 relative_attention=true
      position_buckets=256 max_relative_positions=-1 norm_rel_ebd=layer_norm share_att_key=true pos_att_type=p2c|c2p
      position_biased_input=false type_vocab_size=0 layer_norm_eps=1e-7 pad_token_id=0" ;;  # deberta-v3-base
    modernbert) echo "vocab_size=50368 hidden_size=768 intermediate_size=1152 num_hidden_layers=22
      num_attention_heads=12 hidden_activation=gelu max_position_embeddings=8192 norm_eps=1e-5 norm_bias=false
      attention_bias=false mlp_bias=false global_rope_theta=160000.0 local_rope_theta=10000.0
      global_attn_every_n_layers=3 local_attention=128 pad_token_id=50283 attention_dropout=0 embedding_dropout=0
      mlp_dropout=0" ;;  # ModernBERT-base
    *) echo "run-text-families.sh: no base config for family '$1'" >&2; return 1 ;;
  esac
}
tiny() {  # TINY=1: the same fields, with the sizes overridden (the last of a repeated key wins below)
  [ "${TINY:-0}" = 1 ] || return 0
  case "$1" in
    distilbert) echo "dim=32 n_layers=2 n_heads=2 hidden_dim=64" ;;
    modernbert) echo "hidden_size=32 num_hidden_layers=3 num_attention_heads=2 intermediate_size=48" ;;
    *) echo "hidden_size=32 num_hidden_layers=2 num_attention_heads=2 intermediate_size=64" ;;
  esac
}
fields() {  # one key=value per word, model_type first, a repeated key keeping its last value
  { echo "model_type=$1"; config "$1"; tiny "$1"; } | tr -s ' \n' '\n\n' | grep . |
    awk -F= '{ if (!($1 in v)) order[n++] = $1; v[$1] = $0 } END { for (i = 0; i < n; i++) printf "%s ", v[order[i]] }'
}
field() { awk -v name="$1" -v key="$2=" -v file="$3" '$1 == "result" && $2 == name {
  for (i = 3; i <= NF; i++) if (index($i, key) == 1) print substr($i, length(key) + 1) }' "$3"; }
rows=""
for family in $families; do
  args="$(fields "$family")"
  log="$tmp/$family.txt"
  mode=()
  case " $alone " in *" $family "*) mode=(--one-at-a-time) ;; esac
  if ! /usr/bin/python3 "$root/benchmarks/resnet_lockstep.py" "${mode[@]}" "$warmup" "$steps" \
    "pytorch=$py $root/benchmarks/python/text_family_step.py $family $batch $length $args" \
    "cpp=$root/build/native/bin/fidelio_text_step_driver $batch $length $args" 2>&1 | tee "$log"; then
    rows+="| $family | failed: $(tail -n 1 "$log") | | | | | | |"$'\n'
    continue
  fi
  note=""
  [ ${#mode[@]} -eq 0 ] || note=" (one process at a time)"
  for impl in pytorch cpp; do
    ms="$(field "$impl" median_ms "$log")"
    rows+="| $family | $impl$note | $ms | $(awk -v m="$ms" -v b="$batch" 'BEGIN{printf "%.2f", b*1000/m}') |"
    rows+=" $(field "$impl" ratio_of_medians "$log") | $(field "$impl" paired_ratio_median "$log") ($(field "$impl" paired_ratio_range "$log")) |"
    rows+=" $(field "$impl" cpu_user_ms "$log") | $(field "$impl" peak_rss_mib "$log") |"$'\n'
  done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
cat >"$out" <<MD
# Text families: trainable step, Fidelio vs PyTorch eager, $(date +%F)

Command: \`benchmarks/run-text-families.sh\` (FAMILIES="$families" BATCH=$batch LENGTH=$length STEPS=$steps
WARMUP=$warmup TINY=${TINY:-0} ALONE="$alone"), started $started. Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs),
$(nproc) cores; load average $load_before before, $load_after after. Float32, CPU; PyTorch: $("$py" -c 'import torch; print(torch.__version__)')
running the plain-PyTorch references of native/tests/reference (from HF's modeling code); Fidelio on
the LibTorch of build/native through the C ABI (fidelio_text_step_driver). Base-size configs as the hub's
base checkpoints have them, dropout 0 on both sides (the references have none); cls_pooled into a
2-class output, cross-entropy, clipping 0.5, AdamW. Per family the processes step in lock-step
(order rotating each round); ratio = throughput over PyTorch eager's (> 1: Fidelio faster), from the
medians, and the per-round paired ratio (median, range).

| family | implementation | median ms/step | sequences/s | ratio of medians | paired ratio (range) | CPU user ms | peak RSS MiB |
|---|---|---|---|---|---|---|---|
${rows}
MD
cat "$out"
