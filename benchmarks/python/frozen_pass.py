"""PyTorch twin of the frozen-encoder pass of cache_encoder_embeddings on real texts: the texts
of a CSV tokenized with the model's own tokenizer.json (HF tokenizers, the library Fidelio uses),
truncated to max_length, sorted by length and run in batches through an all-MiniLM-L6-v2-shaped
BertModel (text_train_step.Model: eval, inference_mode, mean pooling), each batch padded to its
longest row, as Fidelio's preprocessing does. Speed does not depend on the weights' values.
Usage: python3 frozen_pass.py TOKENIZER_JSON CSV COLUMN MAX_LENGTH BATCH_ROWS [PASSES]
Prints one line per pass: rows, seconds, rows/s (the first pass includes the kernels' warm-up).
"""
import csv
import sys
import time

import torch
from tokenizers import Tokenizer

from text_train_step import Model


def main():
    tokenizer_json, data, column, max_length, batch_rows = sys.argv[1:6]
    max_length, batch_rows = int(max_length), int(batch_rows)
    passes = int(sys.argv[6]) if len(sys.argv) > 6 else 2
    csv.field_size_limit(1 << 30)
    with open(data, newline="", encoding="utf-8") as f:
        texts = [row[column] for row in csv.DictReader(f)]
    tokenizer = Tokenizer.from_file(tokenizer_json)
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length)
    ids = sorted((e.ids for e in tokenizer.encode_batch(texts)), key=len)
    torch.manual_seed(1)
    model = Model().eval()
    tokens = sum(len(r) for r in ids)
    for p in range(passes):
        start = time.perf_counter()
        with torch.inference_mode():
            for b in range(0, len(ids), batch_rows):
                rows = ids[b:b + batch_rows]
                longest = max(len(r) for r in rows)
                batch = torch.zeros(len(rows), longest, dtype=torch.long)
                mask = torch.zeros(len(rows), longest, dtype=torch.long)
                for i, r in enumerate(rows):
                    batch[i, :len(r)] = torch.tensor(r)
                    mask[i, :len(r)] = 1
                model.pool(batch, mask)
        seconds = time.perf_counter() - start
        print(f"pytorch_eager torch={torch.__version__} threads={torch.get_num_threads()} pass={p + 1} "
              f"rows={len(ids)} tokens={tokens} batch_rows={batch_rows} seconds={seconds:.2f} "
              f"rows_per_s={len(ids) / seconds:.2f}")


if __name__ == "__main__":
    main()
