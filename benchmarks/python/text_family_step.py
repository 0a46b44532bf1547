"""PyTorch twin of fidelio_text_step_driver: one training step of a text family's plain-PyTorch
reference model (native/tests/reference, written from HF's modeling code) with the same config.json
fields, the same pooling (the pooler where the family has one, else the first token's hidden state:
Fidelio's cls_pooled), a 2-class linear head, cross-entropy, backward, global-norm clipping 0.5 and
AdamW (foreach), in train mode. The references carry no dropout modules (they were written for
evaluation-mode parity), so run-text-families.sh sets every dropout field to 0 on both sides.
Usage: python3 text_family_step.py FAMILY BATCH LENGTH key=value...
FAMILY is config.json's model_type; key=value are its fields (numbers as numbers, true/false as
booleans, anything else a string, so pos_att_type stays "p2c|c2p" as the references parse it).
Lock-step protocol (benchmarks/resnet_lockstep.py): prints "ready" once built, then answers each
stdin line with the step's milliseconds and loss.
"""
import importlib
import os
import sys
import time

import torch
from torch import nn

REFERENCES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "native", "tests", "reference")


def parse(pairs):
    config = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            sys.exit(f"expected key=value, got {pair!r}")
        if value in ("true", "false"):
            config[key] = value == "true"
            continue
        for kind in (int, float):
            try:
                config[key] = kind(value)
                break
            except ValueError:
                pass
        else:
            config[key] = value
    return config


def reference(module, variant=None):
    """Imports a reference module. The single-family scripts build and save their small test model
    at import (into argv[1]; argv[2] picks their variant), so that goes to the null device."""
    saved = sys.argv
    sys.argv = [module, os.devnull] + ([variant] if variant else [])
    try:
        return importlib.import_module(module)
    finally:
        sys.argv = saved


class Bert(nn.Module):
    """BertModel from bert_relatives' parts (BERT is RoBERTa without the padding-based positions)."""

    def __init__(self, parts, c):
        super().__init__()
        self.parts = parts
        self.embeddings = parts.BertLikeEmbeddings(c, c["hidden_size"], roberta=False)
        self.encoder, self.pooler = parts.Encoder(c), parts.Pooler(c)

    def forward(self, ids, mask):
        hidden = self.encoder(self.embeddings(ids), self.parts.extended_mask(mask, torch.get_default_dtype()))
        return hidden, self.pooler(hidden)


def float32_mask(model_class):
    """ALBERT's and MPNet's reference forward builds its additive mask in float64 (their parity tests
    run in float64), which a float32 model cannot add to its scores; this is that forward with the
    mask in the model's dtype, as HF's get_extended_attention_mask makes it."""

    class Float32Mask(model_class):
        def forward(self, ids, mask):
            dtype = torch.get_default_dtype()
            extended = (1.0 - mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min
            hidden = self.encoder(self.embeddings(ids), extended)
            pooler = self.pooler.dense if hasattr(self.pooler, "dense") else self.pooler
            return hidden, torch.tanh(pooler(hidden[:, 0]))

    return Float32Mask


def builder(family, c):
    """The reference model's constructor (imported now, called once the default dtype is reset);
    the model's forward(ids, mask) returns the hidden states, or (hidden, pooled)."""
    if family in ("bert", "roberta", "xlm-roberta", "camembert", "electra", "distilbert"):
        parts = reference("bert_relatives")
        if family == "bert":
            return lambda c: Bert(parts, c)
        return {"electra": parts.ElectraModel, "distilbert": parts.DistilBertModel}.get(family, parts.RobertaModel)
    module, name, variant = {"albert": ("albert_reference", "AlbertModel", None),
                                "mpnet": ("mpnet_reference", "MPNetModel", None),
                                "deberta-v2": ("deberta_v2_reference", "DebertaV2Model", "v2"),
                                "modernbert": ("modernbert_reference", "ModernBertModel", "plain")}[family]
    module = reference(module, variant)
    module.CONFIG = c  # deberta_v2 and modernbert read the activation from the module's CONFIG
    model_class = getattr(module, name)
    return float32_mask(model_class) if family in ("albert", "mpnet") else model_class


class Classifier(nn.Module):
    def __init__(self, model, hidden_size):
        super().__init__()
        self.model, self.head = model, nn.Linear(hidden_size, 2)

    def forward(self, ids, mask):
        out = self.model(ids, mask)
        hidden, pooled = out if isinstance(out, tuple) else (out, None)
        return self.head(pooled if pooled is not None else hidden[:, 0])


def main():
    family, batch, length = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    c = parse(sys.argv[4:])
    c.setdefault("model_type", family)
    sys.path.insert(0, REFERENCES)
    build = builder(family, c)
    # The references make float64 their default at import (their parity tests compare in float64);
    # the benchmark's model is float32 as Fidelio's is, so the model is built after resetting it.
    torch.set_default_dtype(torch.float32)
    torch.manual_seed(1)
    model = Classifier(build(c), c.get("hidden_size", c.get("dim")))
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01, foreach=True)
    ids = torch.randint(5, c["vocab_size"], (batch, length))
    mask = torch.ones(batch, length, dtype=torch.long)
    labels = torch.arange(batch) % 2
    print(f"ready torch={torch.__version__} family={family} threads={torch.get_num_threads()}", flush=True)
    for _ in sys.stdin:
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = nn.functional.cross_entropy(model(ids, mask), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        optimizer.step()
        print(f"{(time.perf_counter() - start) * 1000:.3f} {loss.item():.5f}", flush=True)


if __name__ == "__main__":
    main()
