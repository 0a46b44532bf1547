#!/usr/bin/python3
"""ALBERT reference for native/tests/text_families_test.cpp, written from HF transformers'
models/albert/modeling_albert.py (AlbertModel, eager attention) under HF's parameter names:
factorised embeddings, embedding_hidden_mapping_in, layer groups shared across layers, tanh pooler.
Usage: albert_reference.py OUT.pt"""
import math

import torch
from torch import nn

from text_reference_io import padded_inputs, randomise, save

# Small (the test runs in seconds) yet covering every option: embedding_size != hidden_size,
# 4 layers over 2 groups of 2 inner layers (each group runs twice), gelu_new.
CONFIG = dict(model_type="albert", vocab_size=97, embedding_size=16, hidden_size=32, num_hidden_layers=4, num_hidden_groups=2,
              inner_group_num=2, num_attention_heads=4, intermediate_size=48, max_position_embeddings=24,
              type_vocab_size=2, layer_norm_eps=1e-12, pad_token_id=0, hidden_act="gelu_new",
              hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c["vocab_size"], c["embedding_size"], padding_idx=c["pad_token_id"])
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], c["embedding_size"])
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], c["embedding_size"])
        self.LayerNorm = nn.LayerNorm(c["embedding_size"], eps=c["layer_norm_eps"])

    def forward(self, ids):
        positions = torch.arange(ids.shape[1]).unsqueeze(0)
        x = self.word_embeddings(ids) + self.token_type_embeddings(torch.zeros_like(ids))
        x = x + self.position_embeddings(positions)
        return self.LayerNorm(x)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.heads = c["num_attention_heads"]
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.dense = nn.Linear(h, h)
        self.LayerNorm = nn.LayerNorm(h, eps=c["layer_norm_eps"])

    def forward(self, x, mask):
        b, t, h = x.shape
        split = lambda y: y.view(b, t, self.heads, h // self.heads).permute(0, 2, 1, 3)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(h // self.heads) + mask
        context = torch.matmul(torch.softmax(scores, -1), v).transpose(2, 1).flatten(2)
        return self.LayerNorm(x + self.dense(context))


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.full_layer_layer_norm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.attention = Attention(c)
        self.ffn = nn.Linear(c["hidden_size"], c["intermediate_size"])
        self.ffn_output = nn.Linear(c["intermediate_size"], c["hidden_size"])

    def forward(self, x, mask):
        a = self.attention(x, mask)
        return self.full_layer_layer_norm(self.ffn_output(gelu_new(self.ffn(a))) + a)


class LayerGroup(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.albert_layers = nn.ModuleList([Layer(c) for _ in range(c["inner_group_num"])])

    def forward(self, x, mask):
        for layer in self.albert_layers:
            x = layer(x, mask)
        return x


class Transformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embedding_hidden_mapping_in = nn.Linear(c["embedding_size"], c["hidden_size"])
        self.albert_layer_groups = nn.ModuleList([LayerGroup(c) for _ in range(c["num_hidden_groups"])])

    def forward(self, x, mask):
        x = self.embedding_hidden_mapping_in(x)
        n, g = self.c["num_hidden_layers"], self.c["num_hidden_groups"]
        for i in range(n):
            x = self.albert_layer_groups[int(i / (n / g))](x, mask)
        return x


class AlbertModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = Embeddings(c)
        self.encoder = Transformer(c)
        self.pooler = nn.Linear(c["hidden_size"], c["hidden_size"])

    def forward(self, ids, mask):
        extended = (1.0 - mask[:, None, None, :].to(torch.float64)) * torch.finfo(torch.float64).min
        hidden = self.encoder(self.embeddings(ids), extended)
        return hidden, torch.tanh(self.pooler(hidden[:, 0]))


model = AlbertModel(CONFIG)
randomise(model, seed=1)
ids, mask = padded_inputs(CONFIG["vocab_size"], CONFIG["pad_token_id"])
hidden, pooled = model(ids, mask)
save(CONFIG, model, ids, mask, hidden, pooled)
