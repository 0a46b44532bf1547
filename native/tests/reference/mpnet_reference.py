#!/usr/bin/python3
"""MPNet reference for native/tests/text_families_test.cpp, written from HF transformers'
models/mpnet/modeling_mpnet.py (MPNetModel) under HF's parameter names: position ids counted from
padding_idx, the bucketed relative position bias shared by all layers, post-LN layers, tanh pooler.
Usage: mpnet_reference.py OUT.pt"""
import math

import torch
from torch import nn

from text_reference_io import padded_inputs, randomise, save

# Small, with 20 tokens so that relative distances reach the log-spaced buckets (beyond 8).
CONFIG = dict(model_type="mpnet", vocab_size=99, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
              intermediate_size=40, max_position_embeddings=40, relative_attention_num_buckets=32,
              layer_norm_eps=1e-12, pad_token_id=1, hidden_act="gelu", hidden_dropout_prob=0.0,
              attention_probs_dropout_prob=0.0)


def relative_position_bucket(relative_position, num_buckets=32, max_distance=128):
    ret = 0
    n = -relative_position
    num_buckets //= 2
    ret += (n < 0).to(torch.long) * num_buckets
    n = torch.abs(n)
    max_exact = num_buckets // 2
    is_small = n < max_exact
    val_if_large = max_exact + (
        torch.log(n.float() / max_exact) / math.log(max_distance / max_exact) * (num_buckets - max_exact)
    ).to(torch.long)
    val_if_large = torch.min(val_if_large, torch.full_like(val_if_large, num_buckets - 1))
    return ret + torch.where(is_small, n, val_if_large)


class Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.padding_idx = c["pad_token_id"]
        self.word_embeddings = nn.Embedding(c["vocab_size"], c["hidden_size"], padding_idx=self.padding_idx)
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], c["hidden_size"],
                                                padding_idx=self.padding_idx)
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, ids):
        mask = ids.ne(self.padding_idx).int()  # create_position_ids_from_input_ids
        positions = (torch.cumsum(mask, dim=1).type_as(mask) * mask).long() + self.padding_idx
        return self.LayerNorm(self.word_embeddings(ids) + self.position_embeddings(positions))


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.heads = c["num_attention_heads"]
        self.q, self.k, self.v, self.o = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)

    def forward(self, x, mask, position_bias):
        b, t, h = x.shape
        split = lambda y: y.view(b, -1, self.heads, h // self.heads).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(h // self.heads)
        scores += position_bias
        scores = scores + mask
        c = torch.matmul(nn.functional.softmax(scores, dim=-1), v).permute(0, 2, 1, 3).contiguous()
        return self.o(c.view(b, t, h))


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attn = SelfAttention(c)
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, x, mask, position_bias):
        return self.LayerNorm(self.attn(x, mask, position_bias) + x)


class Dense(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.dense = nn.Linear(n_in, n_out)


class Output(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["intermediate_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, x, residual):
        return self.LayerNorm(self.dense(x) + residual)


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = Attention(c)
        self.intermediate = Dense(c["hidden_size"], c["intermediate_size"])
        self.output = Output(c)

    def forward(self, x, mask, position_bias):
        a = self.attention(x, mask, position_bias)
        return self.output(nn.functional.gelu(self.intermediate.dense(a)), a)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([Layer(c) for _ in range(c["num_hidden_layers"])])
        self.relative_attention_bias = nn.Embedding(c["relative_attention_num_buckets"], c["num_attention_heads"])

    def compute_position_bias(self, x, num_buckets=32):
        bsz, qlen, klen = x.size(0), x.size(1), x.size(1)
        context_position = torch.arange(qlen, dtype=torch.long)[:, None]
        memory_position = torch.arange(klen, dtype=torch.long)[None, :]
        rp_bucket = relative_position_bucket(memory_position - context_position, num_buckets=num_buckets)
        values = self.relative_attention_bias(rp_bucket).permute([2, 0, 1]).unsqueeze(0)
        return values.expand((bsz, -1, qlen, klen)).contiguous()

    def forward(self, x, mask):
        position_bias = self.compute_position_bias(x)
        for layer in self.layer:
            x = layer(x, mask, position_bias)
        return x


class MPNetModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = Embeddings(c)
        self.encoder = Encoder(c)
        self.pooler = Dense(c["hidden_size"], c["hidden_size"])

    def forward(self, ids, mask):
        extended = (1.0 - mask[:, None, None, :].to(torch.float64)) * torch.finfo(torch.float64).min
        hidden = self.encoder(self.embeddings(ids), extended)
        return hidden, torch.tanh(self.pooler.dense(hidden[:, 0]))


model = MPNetModel(CONFIG)
randomise(model, seed=2)
ids, mask = padded_inputs(CONFIG["vocab_size"], CONFIG["pad_token_id"], length=20, pads=(0, 6))
hidden, pooled = model(ids, mask)
save(CONFIG, model, ids, mask, hidden, pooled)
