#!/usr/bin/python3
"""Tiny Hugging Face model folders as the hub stores them, for HfTextFoldersTest: config.json, the
weights of a *For* task model (task prefix, heads and a position_ids buffer included) and a
tokenizer.json written by hand, plus expected.json with the token ids and the reference pooled
output for a few texts. The forward passes are native/tests/reference's plain-PyTorch ports of
HF's modeling code (no Fidelio code, no transformers).

usage: hf_text_folders.py OUT_DIR      writes OUT_DIR/roberta/
"""
import json
import os
import re
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../../native/tests/reference"))
import bert_relatives  # noqa: E402  (float64 default dtype, seeded)

TEXTS = ["the cat", "hello there, the world!"]


def bytes_to_unicode():
    """GPT-2's byte -> printable character table (tokenizers' ByteLevel alphabet)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]  # roberta-base's ids 0..3
MERGES = [("Ġ", "t"), ("h", "e"), ("Ġt", "he")]  # a few merges so BPE, not just bytes, runs


def byte_level_bpe():
    alphabet = bytes_to_unicode()
    vocab = {t: i for i, t in enumerate(SPECIALS)}
    for b in range(256):
        vocab[alphabet[b]] = len(vocab)
    for a, b in MERGES:
        vocab[a + b] = len(vocab)
    return alphabet, vocab


def bpe_ids(text, alphabet, vocab):
    """The tokenizer's ids for ASCII text: GPT-2 pre-split, bytes mapped, merges applied by rank."""
    ids = [vocab["<s>"]]
    for word in re.findall(r" ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+", text):
        parts = [alphabet[b] for b in word.encode("utf-8")]
        while True:
            ranked = [(MERGES.index((parts[i], parts[i + 1])), i) for i in range(len(parts) - 1)
                      if (parts[i], parts[i + 1]) in MERGES]
            if not ranked:
                break
            _, i = min(ranked)
            parts[i:i + 2] = [parts[i] + parts[i + 1]]
        ids += [vocab[p] for p in parts]
    return ids + [vocab["</s>"]]


def tokenizer_json(vocab):
    added = [dict(id=i, content=t, single_word=False, lstrip=False, rstrip=False, normalized=True, special=True)
             for i, t in enumerate(SPECIALS)]
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": None,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
            "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0],
                               "trim_offsets": True, "add_prefix_space": False},
            "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
            "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                      "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "vocab": vocab,
                      "merges": [a + " " + b for a, b in MERGES]}}


def roberta(out):
    alphabet, vocab = byte_level_bpe()
    # bert_relatives' roberta config with a byte-level vocabulary; 34 positions = 32 tokens + pad + 1.
    config = dict(bert_relatives.CONFIGS["roberta"], vocab_size=len(vocab), max_position_embeddings=34,
                  architectures=["RobertaForMaskedLM"], id2label={"0": "LABEL_0"}, torch_dtype="float32")
    model = bert_relatives.RobertaModel(config)
    bert_relatives.randomise(model)
    model.eval()
    with torch.no_grad():  # the checkpoint holds float32: the reference uses exactly those values
        for p in model.parameters():
            p.copy_(p.float().double())
    ids = [bpe_ids(t, alphabet, vocab) for t in TEXTS]
    length = max(map(len, ids))
    batch = torch.tensor([row + [config["pad_token_id"]] * (length - len(row)) for row in ids])
    mask = torch.tensor([[1] * len(row) + [0] * (length - len(row)) for row in ids])
    with torch.no_grad():
        hidden, pooled = model(batch, mask)
    # RobertaForMaskedLM's layout: the encoder under roberta., an lm_head, an old position_ids buffer.
    state = {"roberta." + k: v.float() for k, v in model.state_dict().items()}
    h, n = config["hidden_size"], config["vocab_size"]
    state["roberta.embeddings.position_ids"] = torch.arange(34).unsqueeze(0)
    state.update({"lm_head.dense.weight": torch.randn(h, h).float(), "lm_head.dense.bias": torch.zeros(h).float(),
                  "lm_head.layer_norm.weight": torch.ones(h).float(), "lm_head.layer_norm.bias": torch.zeros(h).float(),
                  "lm_head.decoder.weight": torch.randn(n, h).float(), "lm_head.bias": torch.zeros(n).float()})
    os.makedirs(out, exist_ok=True)
    torch.save(state, os.path.join(out, "pytorch_model.bin"))
    write_json(out, "config.json", config)
    write_json(out, "tokenizer.json", tokenizer_json(vocab))
    write_json(out, "expected.json", {"texts": TEXTS, "input_ids": ids, "cls_pooled": pooled.tolist(),
                                      "last_hidden_state": hidden.tolist(), "pad_token_id": 1})


def write_json(out, name, value):
    with open(os.path.join(out, name), "w") as f:
        json.dump(value, f, ensure_ascii=False)


if __name__ == "__main__":
    roberta(os.path.join(sys.argv[1], "roberta"))
