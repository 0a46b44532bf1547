#!/usr/bin/python3
"""DeBERTa-v2/v3 reference for native/tests/text_families_test.cpp, written from HF transformers'
models/deberta_v2/modeling_deberta_v2.py (DebertaV2Model) under HF's parameter names: disentangled
attention (c2p, p2c) over log-bucketed relative positions, share_att_key, norm_rel_ebd, the conv
layer after the first layer, no pooler.
Usage: deberta_v2_reference.py OUT.pt [v2|plain]
  v2: deberta-v2-xlarge's options (buckets, shared keys, LayerNorm'd relative embeddings, conv, no
      absolute positions); plain: separate pos_key_proj (c2p only), absolute positions, token types,
      embedding_size != hidden_size, clamped unbucketed relative positions."""
import math
import sys

import torch
from torch import nn

from text_reference_io import padded_inputs, randomise, save

BASE = dict(model_type="deberta-v2", vocab_size=96, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
            intermediate_size=48, max_position_embeddings=24, layer_norm_eps=1e-7, pad_token_id=0,
            hidden_act="gelu", hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, relative_attention=True)
VARIANTS = {
    # 8 buckets (mid 4) so that 20 tokens reach the log-spaced part.
    "v2": dict(type_vocab_size=0, position_buckets=8, max_relative_positions=24, pos_att_type="p2c|c2p",
               share_att_key=True, norm_rel_ebd="layer_norm", position_biased_input=False, conv_kernel_size=3,
               conv_act="tanh"),
    # max_relative_positions 6 so that distances beyond 6 clamp.
    "plain": dict(type_vocab_size=2, embedding_size=24, max_relative_positions=6, pos_att_type=["c2p"],
                  share_att_key=False, position_biased_input=True),
}
VARIANT = sys.argv[2] if len(sys.argv) > 2 else "v2"
CONFIG = dict(BASE, **VARIANTS[VARIANT])
ACT = {"gelu": nn.functional.gelu, "tanh": torch.tanh}


def make_log_bucket_position(relative_pos, bucket_size, max_position):
    sign = torch.sign(relative_pos)
    mid = bucket_size // 2
    abs_pos = torch.where((relative_pos < mid) & (relative_pos > -mid), torch.tensor(mid - 1).type_as(relative_pos),
                          torch.abs(relative_pos))
    log_pos = torch.ceil(torch.log(abs_pos / mid) / torch.log(torch.tensor((max_position - 1) / mid)) * (mid - 1)) + mid
    return torch.where(abs_pos <= mid, relative_pos.type_as(log_pos), log_pos * sign)


def build_relative_position(query_size, key_size, bucket_size=-1, max_position=-1):
    rel = torch.arange(0, query_size)[:, None] - torch.arange(0, key_size)[None, :]
    if bucket_size > 0 and max_position > 0:
        rel = make_log_bucket_position(rel, bucket_size, max_position)
    return rel.to(torch.long)[:query_size, :].unsqueeze(0)


def pos_att_types(c):
    t = c.get("pos_att_type") or []
    return [x.strip() for x in t.lower().split("|")] if isinstance(t, str) else t


class Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        e = c.get("embedding_size", c["hidden_size"])
        self.word_embeddings = nn.Embedding(c["vocab_size"], e, padding_idx=c["pad_token_id"])
        if c.get("position_biased_input", True):
            self.position_embeddings = nn.Embedding(c["max_position_embeddings"], e)
        if c["type_vocab_size"] > 0:
            self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], e)
        if e != c["hidden_size"]:
            self.embed_proj = nn.Linear(e, c["hidden_size"], bias=False)
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], c["layer_norm_eps"])

    def forward(self, ids, mask):
        x = self.word_embeddings(ids)
        if self.c.get("position_biased_input", True):
            x = x + self.position_embeddings(torch.arange(ids.shape[1]).unsqueeze(0))
        if self.c["type_vocab_size"] > 0:
            x = x + self.token_type_embeddings(torch.zeros_like(ids))
        if hasattr(self, "embed_proj"):
            x = self.embed_proj(x)
        return self.LayerNorm(x) * mask.unsqueeze(2).to(x.dtype)


class DisentangledSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.heads = c["num_attention_heads"]
        self.query_proj, self.key_proj, self.value_proj = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.share_att_key = c.get("share_att_key", False)
        self.pos_att_type = pos_att_types(c)
        self.relative_attention = c.get("relative_attention", False)
        if self.relative_attention:
            self.position_buckets = c.get("position_buckets", -1)
            self.max_relative_positions = c.get("max_relative_positions", -1)
            if self.max_relative_positions < 1:
                self.max_relative_positions = c["max_position_embeddings"]
            self.pos_ebd_size = self.position_buckets if self.position_buckets > 0 else self.max_relative_positions
            if not self.share_att_key:
                if "c2p" in self.pos_att_type:
                    self.pos_key_proj = nn.Linear(h, h)
                if "p2c" in self.pos_att_type:
                    self.pos_query_proj = nn.Linear(h, h)

    def split(self, x):  # HF's transpose_for_scores: [B * heads, T, d]
        x = x.view(x.size()[:-1] + (self.heads, -1))
        return x.permute(0, 2, 1, 3).contiguous().view(-1, x.size(1), x.size(-1))

    def forward(self, x, mask, relative_pos, rel_embeddings):
        q, k, v = self.split(self.query_proj(x)), self.split(self.key_proj(x)), self.split(self.value_proj(x))
        scale_factor = 1 + ("c2p" in self.pos_att_type) + ("p2c" in self.pos_att_type)
        scale = torch.sqrt(torch.tensor(q.size(-1), dtype=torch.float) * scale_factor)
        scores = torch.bmm(q, k.transpose(-1, -2)) / scale.to(q.dtype)
        if self.relative_attention:
            scores = scores + self.bias(q, k, relative_pos, rel_embeddings, scale_factor)
        scores = scores.view(-1, self.heads, scores.size(-2), scores.size(-1))
        rmask = ~(mask.to(torch.bool))  # XSoftmax
        probs = torch.softmax(scores.masked_fill(rmask, torch.finfo(scores.dtype).min), -1).masked_fill(rmask, 0)
        context = torch.bmm(probs.view(-1, probs.size(-2), probs.size(-1)), v)
        context = context.view(-1, self.heads, context.size(-2), context.size(-1)).permute(0, 2, 1, 3).contiguous()
        return context.view(context.size()[:-2] + (-1,))

    def bias(self, q, k, relative_pos, rel_embeddings, scale_factor):
        relative_pos = relative_pos.unsqueeze(1)
        att_span = self.pos_ebd_size
        rel_embeddings = rel_embeddings[0: att_span * 2, :].unsqueeze(0)
        repeat = q.size(0) // self.heads
        if self.share_att_key:
            pos_query = self.split(self.query_proj(rel_embeddings)).repeat(repeat, 1, 1)
            pos_key = self.split(self.key_proj(rel_embeddings)).repeat(repeat, 1, 1)
        else:
            if "c2p" in self.pos_att_type:
                pos_key = self.split(self.pos_key_proj(rel_embeddings)).repeat(repeat, 1, 1)
            if "p2c" in self.pos_att_type:
                pos_query = self.split(self.pos_query_proj(rel_embeddings)).repeat(repeat, 1, 1)
        score = 0
        if "c2p" in self.pos_att_type:
            scale = torch.sqrt(torch.tensor(pos_key.size(-1), dtype=torch.float) * scale_factor)
            c2p = torch.bmm(q, pos_key.transpose(-1, -2))
            c2p_pos = torch.clamp(relative_pos + att_span, 0, att_span * 2 - 1)
            c2p = torch.gather(c2p, dim=-1, index=c2p_pos.squeeze(0).expand([q.size(0), q.size(1), relative_pos.size(-1)]))
            score += c2p / scale.to(c2p.dtype)
        if "p2c" in self.pos_att_type:
            scale = torch.sqrt(torch.tensor(pos_query.size(-1), dtype=torch.float) * scale_factor)
            p2c_pos = torch.clamp(-relative_pos + att_span, 0, att_span * 2 - 1)
            p2c = torch.bmm(k, pos_query.transpose(-1, -2))
            p2c = torch.gather(p2c, dim=-1, index=p2c_pos.squeeze(0).expand([q.size(0), k.size(-2), k.size(-2)]))
            score += p2c.transpose(-1, -2) / scale.to(p2c.dtype)
        return score


class DenseNorm(nn.Module):  # DebertaV2SelfOutput, DebertaV2Output
    def __init__(self, n_in, c):
        super().__init__()
        self.dense = nn.Linear(n_in, c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], c["layer_norm_eps"])

    def forward(self, x, residual):
        return self.LayerNorm(self.dense(x) + residual)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        setattr(self, "self", DisentangledSelfAttention(c))
        self.output = DenseNorm(c["hidden_size"], c)

    def forward(self, x, mask, relative_pos, rel_embeddings):
        return self.output(getattr(self, "self")(x, mask, relative_pos, rel_embeddings), x)


class Intermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["intermediate_size"])


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = Attention(c)
        self.intermediate = Intermediate(c)
        self.output = DenseNorm(c["intermediate_size"], c)

    def forward(self, x, mask, relative_pos, rel_embeddings):
        a = self.attention(x, mask, relative_pos, rel_embeddings)
        return self.output(ACT[CONFIG["hidden_act"]](self.intermediate.dense(a)), a)


class ConvLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        kernel_size = c.get("conv_kernel_size", 3)
        self.conv_act = c.get("conv_act", "tanh")
        self.conv = nn.Conv1d(c["hidden_size"], c["hidden_size"], kernel_size, padding=(kernel_size - 1) // 2,
                              groups=c.get("conv_groups", 1))
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], c["layer_norm_eps"])

    def forward(self, hidden_states, residual_states, input_mask):
        out = self.conv(hidden_states.permute(0, 2, 1).contiguous()).permute(0, 2, 1).contiguous()
        rmask = (1 - input_mask).bool()
        out.masked_fill_(rmask.unsqueeze(-1).expand(out.size()), 0)
        out = ACT[self.conv_act](out)
        output = self.LayerNorm(residual_states + out)
        return output * input_mask.unsqueeze(2).to(output.dtype)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([Layer(c) for _ in range(c["num_hidden_layers"])])
        self.relative_attention = c.get("relative_attention", False)
        if self.relative_attention:
            self.max_relative_positions = c.get("max_relative_positions", -1)
            if self.max_relative_positions < 1:
                self.max_relative_positions = c["max_position_embeddings"]
            self.position_buckets = c.get("position_buckets", -1)
            size = self.position_buckets * 2 if self.position_buckets > 0 else self.max_relative_positions * 2
            self.rel_embeddings = nn.Embedding(size, c["hidden_size"])
        self.norm_rel_ebd = [x.strip() for x in c.get("norm_rel_ebd", "none").lower().split("|")]
        if "layer_norm" in self.norm_rel_ebd:
            self.LayerNorm = nn.LayerNorm(c["hidden_size"], c["layer_norm_eps"], elementwise_affine=True)
        if c.get("conv_kernel_size", 0) > 0:
            self.conv = ConvLayer(c)

    def forward(self, hidden_states, input_mask):
        ext = input_mask.unsqueeze(1).unsqueeze(2)
        mask = (ext * ext.squeeze(-2).unsqueeze(-1)).byte()
        relative_pos = build_relative_position(hidden_states.size(-2), hidden_states.size(-2),
                                               self.position_buckets, self.max_relative_positions)
        rel_embeddings = self.rel_embeddings.weight
        if "layer_norm" in self.norm_rel_ebd:
            rel_embeddings = self.LayerNorm(rel_embeddings)
        x = hidden_states
        for i, layer in enumerate(self.layer):
            x = layer(x, mask, relative_pos, rel_embeddings)
            if i == 0 and hasattr(self, "conv"):
                x = self.conv(hidden_states, x, input_mask)
        return x


class DebertaV2Model(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = Embeddings(c)
        self.encoder = Encoder(c)

    def forward(self, ids, mask):
        return self.encoder(self.embeddings(ids, mask), mask)


model = DebertaV2Model(CONFIG)
randomise(model, seed=3)
ids, mask = padded_inputs(CONFIG["vocab_size"], CONFIG["pad_token_id"], length=20, pads=(0, 6))
save(CONFIG, model, ids, mask, model(ids, mask), None)
