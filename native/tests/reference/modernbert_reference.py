#!/usr/bin/python3
"""ModernBERT reference for native/tests/text_families_test.cpp, written from HF transformers'
models/modernbert/modeling_modernbert.py (ModernBertModel, eager attention on the padded batch)
under HF's parameter names: pre-LN layers (no attn_norm in layer 0), rotary embeddings with a
global and a local theta, sliding-window attention in all but every n-th layer, GeGLU MLP, final_norm.
Usage: modernbert_reference.py OUT.pt [plain|biased]"""
import sys

import torch
from torch import nn

from text_reference_io import padded_inputs, randomise, save

# 3 layers with global_attn_every_n_layers 2: layers 0 and 2 global, 1 local; a 6-token window
# (3 each way) over 20 tokens so that the window cuts.
BASE = dict(model_type="modernbert", vocab_size=100, hidden_size=32, intermediate_size=40, num_hidden_layers=3,
            num_attention_heads=4, hidden_activation="gelu", max_position_embeddings=64, norm_eps=1e-5,
            pad_token_id=0, global_rope_theta=160000.0, local_rope_theta=10000.0, global_attn_every_n_layers=2,
            local_attention=6, attention_dropout=0.0, embedding_dropout=0.0, mlp_dropout=0.0)
VARIANTS = {"plain": dict(norm_bias=False, attention_bias=False, mlp_bias=False),
            "biased": dict(norm_bias=True, attention_bias=True, mlp_bias=True, hidden_activation="gelu_new")}
CONFIG = dict(BASE, **VARIANTS[sys.argv[2] if len(sys.argv) > 2 else "plain"])
ACT = {"gelu": nn.functional.gelu, "gelu_new": lambda x: nn.functional.gelu(x, approximate="tanh")}


def layer_norm(c):
    norm = nn.LayerNorm(c["hidden_size"], eps=c["norm_eps"])
    if not c["norm_bias"]:  # torch 1.13's LayerNorm has no bias=False
        norm.bias = None
    return norm


class Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.tok_embeddings = nn.Embedding(c["vocab_size"], c["hidden_size"], padding_idx=c["pad_token_id"])
        self.norm = layer_norm(c)

    def forward(self, ids):
        return self.norm(self.tok_embeddings(ids))


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.Wi = nn.Linear(c["hidden_size"], c["intermediate_size"] * 2, bias=c["mlp_bias"])
        self.Wo = nn.Linear(c["intermediate_size"], c["hidden_size"], bias=c["mlp_bias"])

    def forward(self, x):
        input, gate = self.Wi(x).chunk(2, dim=-1)
        return self.Wo(ACT[CONFIG["hidden_activation"]](input) * gate)


def rotary(length, dim, base):  # ModernBertRotaryEmbedding, float32
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    positions = torch.arange(length).float()
    freqs = (inv_freq[None, :, None].float() @ positions[None, None, :]).transpose(1, 2)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


class Attention(nn.Module):
    def __init__(self, c, layer_id):
        super().__init__()
        self.heads, self.head_dim = c["num_attention_heads"], c["hidden_size"] // c["num_attention_heads"]
        self.Wqkv = nn.Linear(c["hidden_size"], 3 * c["hidden_size"], bias=c["attention_bias"])
        self.Wo = nn.Linear(c["hidden_size"], c["hidden_size"], bias=c["attention_bias"])
        self.local = layer_id % c["global_attn_every_n_layers"] != 0
        self.theta = c["local_rope_theta"] if self.local else c["global_rope_theta"]

    def forward(self, x, global_mask, sliding_mask):
        bs, t, dim = x.shape
        qkv = self.Wqkv(x).view(bs, -1, 3, self.heads, self.head_dim)
        query, key, value = qkv.transpose(3, 1).unbind(dim=2)
        cos, sin = rotary(t, self.head_dim, self.theta)
        cos, sin = cos.to(x.dtype).unsqueeze(1), sin.to(x.dtype).unsqueeze(1)
        query, key = query * cos + rotate_half(query) * sin, key * cos + rotate_half(key) * sin
        weights = torch.matmul(query, key.transpose(2, 3)) * self.head_dim ** -0.5
        weights = weights + (sliding_mask if self.local else global_mask)
        weights = nn.functional.softmax(weights, dim=-1, dtype=torch.float32).to(query.dtype)
        out = torch.matmul(weights, value).transpose(1, 2).contiguous().view(bs, -1, dim)
        return self.Wo(out)


class Layer(nn.Module):
    def __init__(self, c, layer_id):
        super().__init__()
        self.attn_norm = nn.Identity() if layer_id == 0 else layer_norm(c)
        self.attn = Attention(c, layer_id)
        self.mlp_norm = layer_norm(c)
        self.mlp = MLP(c)

    def forward(self, x, global_mask, sliding_mask):
        x = x + self.attn(self.attn_norm(x), global_mask, sliding_mask)
        return x + self.mlp(self.mlp_norm(x))


class ModernBertModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embeddings = Embeddings(c)
        self.layers = nn.ModuleList([Layer(c, i) for i in range(c["num_hidden_layers"])])
        self.final_norm = layer_norm(c)

    def forward(self, ids, mask):
        # float32's min as in a float32 model: float64's would overflow to -inf in the float32 softmax
        # and turn fully masked (padding) rows into NaN.
        lowest = torch.finfo(torch.float32).min
        bsz, t = mask.shape  # _prepare_4d_attention_mask
        inverted = 1.0 - mask[:, None, None, :].expand(bsz, 1, t, t).to(torch.float64)
        global_mask = inverted.masked_fill(inverted.to(torch.bool), lowest)
        rows = torch.arange(t).unsqueeze(0)
        window = (torch.abs(rows - rows.T) <= self.c["local_attention"] // 2).unsqueeze(0).unsqueeze(0)
        sliding_mask = global_mask.masked_fill(window.logical_not(), lowest)
        x = self.embeddings(ids)
        for layer in self.layers:
            x = layer(x, global_mask, sliding_mask)
        return self.final_norm(x)


model = ModernBertModel(CONFIG)
randomise(model, seed=4)
ids, mask = padded_inputs(CONFIG["vocab_size"], CONFIG["pad_token_id"], length=20, pads=(0, 6))
save(CONFIG, model, ids, mask, model(ids, mask), None)
