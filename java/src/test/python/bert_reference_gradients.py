"""Reference gradients of a Hugging Face BertModel, written from the model's definition in plain
PyTorch (no transformers package), for BertReferenceGradientTest.

Usage: bert_reference_gradients.py IN.safetensors OUT.safetensors
IN holds the encoder's weights under HF keys plus three inputs (__input_ids, __attention_mask,
__loss_weight, stored as float32) and in its metadata num_attention_heads and layer_norm_eps.
The loss is sum(mean_pool(last_hidden_state) * loss_weight), in eval mode (no dropout). OUT holds
the gradient of every parameter that has one, and __loss.
"""
import json
import math
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F


def read_safetensors(path):
    with open(path, "rb") as f:
        length = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(length))
        data = f.read()
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        assert entry["dtype"] == "F32", name
        start, end = entry["data_offsets"]
        array = np.frombuffer(data[start:end], dtype="<f4").reshape(entry["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors, meta


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        blob = t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)


def linear(p, prefix, x):
    return F.linear(x, p[prefix + ".weight"], p[prefix + ".bias"])


def layer_norm(p, prefix, x, eps):
    return F.layer_norm(x, x.shape[-1:], p[prefix + ".weight"], p[prefix + ".bias"], eps)


def bert_mean_pooled(p, ids, mask, heads, eps):
    batch, length = ids.shape
    positions = torch.arange(length).unsqueeze(0)
    x = (p["embeddings.word_embeddings.weight"][ids] + p["embeddings.position_embeddings.weight"][positions]
         + p["embeddings.token_type_embeddings.weight"][torch.zeros_like(ids)])
    x = layer_norm(p, "embeddings.LayerNorm", x, eps)
    hidden = x.shape[-1]
    size = hidden // heads
    # HF's extended attention mask: 0 where attended, the dtype's minimum where padded.
    additive = (1.0 - mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
    layer = 0
    while "encoder.layer.%d.attention.self.query.weight" % layer in p:
        pre = "encoder.layer.%d." % layer

        def split(t):
            return t.view(batch, length, heads, size).permute(0, 2, 1, 3)

        q = split(linear(p, pre + "attention.self.query", x))
        k = split(linear(p, pre + "attention.self.key", x))
        v = split(linear(p, pre + "attention.self.value", x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(size) + additive
        context = (scores.softmax(-1) @ v).permute(0, 2, 1, 3).reshape(batch, length, hidden)
        x = layer_norm(p, pre + "attention.output.LayerNorm", linear(p, pre + "attention.output.dense", context) + x, eps)
        inner = F.gelu(linear(p, pre + "intermediate.dense", x))
        x = layer_norm(p, pre + "output.LayerNorm", linear(p, pre + "output.dense", inner) + x, eps)
        layer += 1
    keep = mask.to(x.dtype).unsqueeze(-1)
    return (x * keep).sum(1) / keep.sum(1).clamp_min(1.0)


def main(source, target):
    torch.set_num_threads(1)
    tensors, meta = read_safetensors(source)
    ids = tensors.pop("__input_ids").long()
    mask = tensors.pop("__attention_mask").long()
    weight = tensors.pop("__loss_weight")
    params = {name: t.requires_grad_() for name, t in tensors.items()}
    pooled = bert_mean_pooled(params, ids, mask, int(meta["num_attention_heads"]), float(meta["layer_norm_eps"]))
    loss = (pooled * weight).sum()
    loss.backward()
    grads = {name: t.grad for name, t in params.items() if t.grad is not None}
    grads["__loss"] = loss.detach().reshape(1)
    write_safetensors(target, grads)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
