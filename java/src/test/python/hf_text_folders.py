#!/usr/bin/python3
"""Tiny Hugging Face model folders as the hub stores them, for HfTextFoldersTest: config.json, the
weights of a *For* task model (task prefix, heads and a position_ids buffer included) and a
tokenizer.json written by hand, plus expected.json with the token ids and the reference pooled
output for a few texts. The forward passes are native/tests/reference's plain-PyTorch ports of
HF's modeling code (no Fidelio code, no transformers).

usage: hf_text_folders.py OUT_DIR      writes OUT_DIR/roberta/ and OUT_DIR/deberta-v2/ (tokenizer and all),
and OUT_DIR/ids/<model_type>/ for every family: the native tests' reference records (their token ids,
outputs and weights) as a float32 hub checkpoint with the task prefix and a head. The other seven
families also get OUT_DIR/<model_type>/: that checkpoint plus a tokenizer.json that fits its
vocabulary (TOKENIZERS), for HfFamilyExperimentTest's end-to-end runs.
"""
import subprocess
import json
import math
import os
import re
import struct
import sys
import tempfile

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../../native/tests/reference"))
import bert_relatives  # noqa: E402  (float64 default dtype, seeded)

TEXTS = ["the cat", "hello there the world"]


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


UNIGRAM_SPECIALS = ["[PAD]", "[CLS]", "[SEP]", "[UNK]"]  # deberta-v3's ids 0..3
WORDS = ["▁the", "▁cat", "▁he", "▁hell", "llo", "▁there", "the"]  # longer pieces score better than letters


def unigram_vocab():
    pieces = [(t, 0.0) for t in UNIGRAM_SPECIALS] + [("▁", -3.0)]
    pieces += [(chr(c), -4.0) for c in range(ord("a"), ord("z") + 1)]
    pieces += [(w, -2.0 - 0.1 * i) for i, w in enumerate(WORDS)]
    return pieces


def unigram_ids(text, pieces):
    """The tokenizer's ids: Metaspace (spaces to ▁, one prepended, split before each ▁), then per
    word the Viterbi segmentation of highest total score; characters outside the vocabulary are [UNK]."""
    index = {p: (i, score) for i, (p, score) in enumerate(pieces) if i >= len(UNIGRAM_SPECIALS)}
    ids = [1]
    for word in re.findall(r"▁[^▁]*", "▁" + text.replace(" ", "▁")):
        best = [(0.0, [])] + [(-math.inf, None)] * len(word)
        for end in range(1, len(word) + 1):
            for start in range(end):
                piece = word[start:end]
                if best[start][1] is None:
                    continue
                if piece in index:
                    i, score = index[piece]
                elif end - start == 1:
                    i, score = 3, -10.0  # unigram's unk penalty
                else:
                    continue
                if best[start][0] + score > best[end][0]:
                    best[end] = (best[start][0] + score, best[start][1] + [i])
        ids += best[len(word)][1]
    return ids + [2]


def unigram_tokenizer_json(pieces):
    added = [dict(id=i, content=t, single_word=False, lstrip=False, rstrip=False, normalized=False, special=True)
             for i, t in enumerate(UNIGRAM_SPECIALS)]
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": None,
            "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True},
            "post_processor": {"type": "TemplateProcessing",
                               "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                                          {"Sequence": {"id": "A", "type_id": 0}},
                                          {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                               "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                                        {"Sequence": {"id": "A", "type_id": 0}},
                                        {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                                        {"Sequence": {"id": "B", "type_id": 1}},
                                        {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
                               "special_tokens": {t: {"id": t, "ids": [i], "tokens": [t]}
                                                  for i, t in enumerate(UNIGRAM_SPECIALS[1:3], start=1)}},
            "decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True},
            "model": {"type": "Unigram", "unk_id": 3, "vocab": [[p, s] for p, s in pieces], "byte_fallback": False}}


def write_safetensors(path, tensors):
    """safetensors by hand (no safetensors package here): a JSON header of dtypes, shapes and offsets."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        data = t.contiguous().numpy().tobytes()
        header[name] = {"dtype": {torch.float16: "F16", torch.float32: "F32"}[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header).encode()
    head += b" " * (-len(head) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)) + head + b"".join(blobs))


def deberta_v2(out):
    # deberta_v2_reference runs its own case on import and saves it to argv[1]: point that at a scratch file.
    scratch = tempfile.NamedTemporaryFile(suffix=".pt")
    argv, sys.argv = sys.argv, [sys.argv[0], scratch.name, "v2"]
    import deberta_v2_reference as ref  # noqa: E402
    sys.argv = argv
    config = dict(ref.CONFIG, architectures=["DebertaV2ForMaskedLM"])
    model = ref.DebertaV2Model(config)
    ref.randomise(model, seed=5)
    model.eval()
    with torch.no_grad():  # the checkpoint holds float16: the reference uses exactly those values
        for p in model.parameters():
            p.copy_(p.half().double())
    pieces = unigram_vocab()
    ids = [unigram_ids(t, pieces) for t in TEXTS]
    length = max(map(len, ids))
    batch = torch.tensor([row + [config["pad_token_id"]] * (length - len(row)) for row in ids])
    mask = torch.tensor([[1] * len(row) + [0] * (length - len(row)) for row in ids])
    with torch.no_grad():
        hidden = model(batch, mask)
    h = config["hidden_size"]
    state = {"deberta." + k: v.half() for k, v in model.state_dict().items()}
    # position_biased_input false: HF leaves the table out of the model, but v3 checkpoints may carry it.
    state["deberta.embeddings.position_embeddings.weight"] = torch.randn(config["max_position_embeddings"], h).half()
    state["lm_predictions.lm_head.dense.weight"] = torch.randn(h, h).half()
    state["lm_predictions.lm_head.bias"] = torch.zeros(config["vocab_size"]).half()
    os.makedirs(out, exist_ok=True)
    write_safetensors(os.path.join(out, "model.safetensors"), state)
    write_json(out, "config.json", config)
    write_json(out, "tokenizer.json", unigram_tokenizer_json(pieces))
    write_json(out, "expected.json", {"texts": TEXTS, "input_ids": ids, "cls_pooled": hidden[:, 0].tolist(),
                                      "last_hidden_state": hidden.tolist(), "pad_token_id": 0})


REFERENCES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../native/tests/reference")
# model_type -> (reference script and arguments, the *For* model's prefix, a head key of that task model)
ID_FAMILIES = {
    "roberta": (["bert_relatives.py", "roberta"], "roberta.", "lm_head.dense.weight"),
    "xlm-roberta": (["bert_relatives.py", "roberta"], "roberta.", "classifier.dense.weight"),
    "camembert": (["bert_relatives.py", "roberta"], "roberta.", "lm_head.dense.weight"),
    "electra": (["bert_relatives.py", "electra"], "electra.", "discriminator_predictions.dense.weight"),
    "distilbert": (["bert_relatives.py", "distilbert"], "distilbert.", "vocab_transform.weight"),
    "albert": (["albert_reference.py"], "albert.", "predictions.dense.weight"),
    "mpnet": (["mpnet_reference.py"], "mpnet.", "lm_head.dense.weight"),
    "deberta-v2": (["deberta_v2_reference.py"], "deberta.", "lm_predictions.lm_head.dense.weight"),
    "modernbert": (["modernbert_reference.py"], "model.", "head.dense.weight"),
}


def id_folder(model_type, out):
    """Runs the native test's reference (as native/tests does) and stores its record hub-style."""
    (script, *args), prefix, head = ID_FAMILIES[model_type]
    with tempfile.TemporaryDirectory() as scratch:
        record_file = os.path.join(scratch, "record.pt")
        argv = [record_file] + args if script != "bert_relatives.py" else args + [record_file]
        subprocess.run([sys.executable, os.path.join(REFERENCES, script)] + argv, check=True)
        record = torch.load(record_file)
    config = dict(record["config"], model_type=model_type)
    state = {prefix + k: v.float() for k, v in record["state"].items()}
    state[head] = torch.zeros(4, 4, dtype=torch.float32)
    hidden = record["last_hidden_state"]
    pooled = record.get("pooler_output", hidden[:, 0])
    os.makedirs(out, exist_ok=True)
    write_safetensors(os.path.join(out, "model.safetensors"), state)
    write_json(out, "config.json", config)
    write_json(out, "expected.json", {"input_ids": record["input_ids"].tolist(),
                                      "attention_mask": record["attention_mask"].tolist(),
                                      "cls_pooled": pooled.tolist(), "last_hidden_state": hidden.tolist(),
                                      "reduced": ludwig_reductions(hidden, record["attention_mask"])})


def ludwig_reductions(hidden, mask):
    """Ludwig's ReduceSum, ReduceMean, ReduceMax, ReduceLast and ReduceConcat
    (ludwig/modules/reduction_modules.py) applied to each sentence's own tokens: its row cut at its
    length (and for concat zero-padded back to the batch's length)."""
    reducers = {"sum": lambda x: torch.sum(x, dim=1), "mean": lambda x: torch.mean(x, dim=1),
                "max": lambda x: torch.amax(x, dim=1), "last": lambda x: x[:, -1],
                "concat": lambda x: torch.cat([x, torch.zeros(1, hidden.shape[1] - x.shape[1], x.shape[2],
                                                              dtype=x.dtype)], 1).reshape(1, -1)}
    rows = [hidden[row:row + 1, :int(mask[row].sum())] for row in range(hidden.shape[0])]
    return {mode: torch.cat([reduce(x) for x in rows]).tolist() for mode, reduce in reducers.items()}


def wordpiece_tokenizer_json(vocab_size, pad_id):
    """A lower-casing BERT WordPiece tokenizer of vocab_size ids: [PAD] at the model's pad id (RoBERTa
    and MPNet pad with 1, the others with 0), then letters and their ## continuations while ids
    last; a word with a letter outside the vocabulary is [UNK], as in BERT."""
    specials = ["[PAD]", "[CLS]", "[SEP]", "[UNK]"] if pad_id == 0 else ["[CLS]", "[PAD]", "[SEP]", "[UNK]"]
    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    pieces = [p for pair in zip(letters, ["##" + c for c in letters]) for p in pair]
    vocab = {t: i for i, t in enumerate(specials + pieces[:vocab_size - len(specials)])}
    added = [dict(id=vocab[t], content=t, single_word=False, lstrip=False, rstrip=False, normalized=False,
                  special=True) for t in specials]
    cls, sep = ["[CLS]", vocab["[CLS]"]], ["[SEP]", vocab["[SEP]"]]
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
            "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                           "strip_accents": None, "lowercase": True},
            "pre_tokenizer": {"type": "BertPreTokenizer"},
            "post_processor": {"type": "BertProcessing", "sep": sep, "cls": cls},
            "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
            "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                      "max_input_chars_per_word": 100, "vocab": vocab}}


# model_type -> its tokenizer.json kind; the kind need not be the family's own (the reference
# vocabularies of 40 ids are too small for byte-level BPE's 256 bytes); pad ids match config.json.
TOKENIZERS = {"xlm-roberta": "wordpiece", "camembert": "wordpiece", "electra": "wordpiece",
              "distilbert": "wordpiece", "mpnet": "wordpiece", "albert": "unigram", "modernbert": "unigram"}


def full_folder(model_type, ids_folder, out):
    """The id-only checkpoint with a tokenizer.json: a hub folder a Ludwig encoder type can train on."""
    config = json.load(open(os.path.join(ids_folder, "config.json")))
    os.makedirs(out, exist_ok=True)
    for name in ("config.json", "model.safetensors"):
        with open(os.path.join(ids_folder, name), "rb") as src, open(os.path.join(out, name), "wb") as dst:
            dst.write(src.read())
    if TOKENIZERS[model_type] == "unigram":
        pieces = unigram_vocab()
        assert config["pad_token_id"] == 0 and len(pieces) <= config["vocab_size"], model_type
        tokenizer = unigram_tokenizer_json(pieces)
    else:
        tokenizer = wordpiece_tokenizer_json(config["vocab_size"], config["pad_token_id"])
    write_json(out, "tokenizer.json", tokenizer)


def write_json(out, name, value):
    with open(os.path.join(out, name), "w") as f:
        json.dump(value, f, ensure_ascii=False)


if __name__ == "__main__":
    roberta(os.path.join(sys.argv[1], "roberta"))
    deberta_v2(os.path.join(sys.argv[1], "deberta-v2"))
    for family in ID_FAMILIES:
        id_folder(family, os.path.join(sys.argv[1], "ids", family))
    for family in TOKENIZERS:
        full_folder(family, os.path.join(sys.argv[1], "ids", family), os.path.join(sys.argv[1], family))
