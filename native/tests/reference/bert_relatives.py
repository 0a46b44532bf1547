#!/usr/bin/python3
"""Reference forward passes and gradients for native/tests/text_families_test.cpp: RoBERTa, ELECTRA
and DistilBERT written out in plain PyTorch (torch 1.13) from Hugging Face's modeling_roberta.py,
modeling_electra.py and modeling_distilbert.py (eager attention, evaluation mode), under HF's exact
parameter names. Shares no code with Fidelio.

usage: bert_relatives.py FAMILY OUT.pt   (FAMILY: roberta, electra, distilbert)
Writes with torch.save a dict: config (config.json's fields), state (the checkpoint, non-trivial
random weights), input_ids and attention_mask (row 1 padded), probe, last_hidden_state,
pooler_output (when the family has a pooler) and grads (d loss / d parameter for
loss = sum(last_hidden_state * probe) + sum(pooler_output)).
"""
import math
import sys

import torch
from torch import nn

torch.manual_seed(7)
# float64 on both sides: the comparison then shows the math, not float32 rounding of tiny gradients.
torch.set_default_dtype(torch.float64)
BATCH, LENGTH, PADDED = 2, 7, 3  # tiny, so the test runs in seconds; row 1 ends in 3 padding tokens

CONFIGS = {
    # RobertaConfig fields; type_vocab_size 1, eps 1e-5 and max_position_embeddings = positions +
    # pad_token_id + 1 as roberta-base's config.json has them.
    "roberta": dict(model_type="roberta", vocab_size=40, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                    intermediate_size=24, hidden_act="gelu", max_position_embeddings=12, type_vocab_size=1,
                    layer_norm_eps=1e-5, pad_token_id=1, bos_token_id=0, eos_token_id=2,
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, initializer_range=0.02),
    # embedding_size 8 < hidden_size 16: the embeddings_project Linear exists.
    "electra": dict(model_type="electra", vocab_size=40, embedding_size=8, hidden_size=16, num_hidden_layers=2,
                    num_attention_heads=4, intermediate_size=24, hidden_act="gelu_new", max_position_embeddings=20,
                    type_vocab_size=2, layer_norm_eps=1e-12, pad_token_id=0, hidden_dropout_prob=0.1,
                    attention_probs_dropout_prob=0.1, initializer_range=0.02),
    "distilbert": dict(model_type="distilbert", vocab_size=40, dim=16, n_layers=2, n_heads=2, hidden_dim=24,
                       activation="gelu", max_position_embeddings=20, sinusoidal_pos_embds=True, pad_token_id=0,
                       dropout=0.1, attention_dropout=0.1, initializer_range=0.02),
}

ACTIVATIONS = {"gelu": nn.functional.gelu, "relu": nn.functional.relu,
               "gelu_new": lambda x: nn.functional.gelu(x, approximate="tanh")}


def extended_mask(mask, dtype):  # ModuleUtilsMixin.get_extended_attention_mask
    return (1.0 - mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min


class BertLikeEmbeddings(nn.Module):  # BertEmbeddings / RobertaEmbeddings / ElectraEmbeddings
    def __init__(self, c, width, roberta):
        super().__init__()
        self.roberta, self.pad = roberta, c["pad_token_id"]
        self.word_embeddings = nn.Embedding(c["vocab_size"], width, padding_idx=self.pad)
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], width,
                                                padding_idx=self.pad if roberta else None)
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], width)
        self.LayerNorm = nn.LayerNorm(width, eps=c["layer_norm_eps"])

    def forward(self, ids):
        if self.roberta:  # create_position_ids_from_input_ids
            mask = ids.ne(self.pad).int()
            positions = (torch.cumsum(mask, dim=1).type_as(mask) * mask).long() + self.pad
        else:
            positions = torch.arange(ids.size(1)).expand(ids.size(0), -1)
        embeddings = self.word_embeddings(ids) + self.token_type_embeddings(torch.zeros_like(ids))
        return self.LayerNorm(embeddings + self.position_embeddings(positions))


class SelfAttention(nn.Module):  # BertSelfAttention (absolute positions, eager)
    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.heads, self.size = c["num_attention_heads"], h // c["num_attention_heads"]
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)

    def split(self, x):
        return x.view(x.size(0), x.size(1), self.heads, self.size).permute(0, 2, 1, 3)

    def forward(self, hidden, mask):
        q, k, v = self.split(self.query(hidden)), self.split(self.key(hidden)), self.split(self.value(hidden))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.size) + mask
        context = torch.matmul(nn.functional.softmax(scores, dim=-1), v).permute(0, 2, 1, 3).contiguous()
        return context.view(hidden.size(0), hidden.size(1), self.heads * self.size)


class DenseNorm(nn.Module):  # BertSelfOutput / BertOutput
    def __init__(self, c, inputs):
        super().__init__()
        self.dense = nn.Linear(inputs, c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, hidden, residual):
        return self.LayerNorm(self.dense(hidden) + residual)


class Attention(nn.Module):  # BertAttention
    def __init__(self, c):
        super().__init__()
        self.self = SelfAttention(c)
        self.output = DenseNorm(c, c["hidden_size"])

    def forward(self, hidden, mask):
        return self.output(self.self(hidden, mask), hidden)


class Intermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["intermediate_size"])
        self.act = ACTIVATIONS[c["hidden_act"]]

    def forward(self, hidden):
        return self.act(self.dense(hidden))


class Layer(nn.Module):  # BertLayer
    def __init__(self, c):
        super().__init__()
        self.attention, self.intermediate = Attention(c), Intermediate(c)
        self.output = DenseNorm(c, c["intermediate_size"])

    def forward(self, hidden, mask):
        attended = self.attention(hidden, mask)
        return self.output(self.intermediate(attended), attended)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([Layer(c) for _ in range(c["num_hidden_layers"])])

    def forward(self, hidden, mask):
        for block in self.layer:
            hidden = block(hidden, mask)
        return hidden


class Pooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])

    def forward(self, hidden):
        return torch.tanh(self.dense(hidden[:, 0]))


class RobertaModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = BertLikeEmbeddings(c, c["hidden_size"], roberta=True)
        self.encoder, self.pooler = Encoder(c), Pooler(c)

    def forward(self, ids, mask):
        hidden = self.embeddings(ids)
        hidden = self.encoder(hidden, extended_mask(mask, hidden.dtype))
        return hidden, self.pooler(hidden)


class ElectraModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = BertLikeEmbeddings(c, c["embedding_size"], roberta=False)
        self.embeddings_project = nn.Linear(c["embedding_size"], c["hidden_size"])
        self.encoder = Encoder(c)

    def forward(self, ids, mask):
        hidden = self.embeddings_project(self.embeddings(ids))
        return self.encoder(hidden, extended_mask(mask, hidden.dtype)), None


def sinusoids(n_pos, dim):  # create_sinusoidal_embeddings
    angles = torch.tensor([[pos / math.pow(10000, 2 * (j // 2) / dim) for j in range(dim)] for pos in range(n_pos)],
                          dtype=torch.float64)
    out = torch.empty(n_pos, dim)
    out[:, 0::2] = torch.sin(angles[:, 0::2]).float()  # HF writes torch.FloatTensor(np.sin(...))
    out[:, 1::2] = torch.cos(angles[:, 1::2]).float()
    return out


class DistilEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c["vocab_size"], c["dim"], padding_idx=c["pad_token_id"])
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], c["dim"])
        self.LayerNorm = nn.LayerNorm(c["dim"], eps=1e-12)

    def forward(self, ids):
        positions = torch.arange(ids.size(1)).unsqueeze(0).expand_as(ids)
        return self.LayerNorm(self.word_embeddings(ids) + self.position_embeddings(positions))


class MultiHeadSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["dim"]
        self.heads = c["n_heads"]
        self.q_lin, self.k_lin, self.v_lin, self.out_lin = (nn.Linear(d, d) for _ in range(4))

    def forward(self, x, mask):
        bs, length, dim = x.size()
        per_head = dim // self.heads
        shape = lambda t: t.view(bs, -1, self.heads, per_head).transpose(1, 2)
        q = shape(self.q_lin(x)) / math.sqrt(per_head)
        k, v = shape(self.k_lin(x)), shape(self.v_lin(x))
        scores = torch.matmul(q, k.transpose(2, 3))
        hidden_mask = (mask == 0).view(bs, 1, 1, length).expand_as(scores)
        scores = scores.masked_fill(hidden_mask, torch.tensor(torch.finfo(scores.dtype).min))
        context = torch.matmul(nn.functional.softmax(scores, dim=-1), v)
        return self.out_lin(context.transpose(1, 2).contiguous().view(bs, -1, self.heads * per_head))


class Ffn(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.lin1, self.lin2 = nn.Linear(c["dim"], c["hidden_dim"]), nn.Linear(c["hidden_dim"], c["dim"])
        self.act = ACTIVATIONS[c["activation"]]

    def forward(self, x):
        return self.lin2(self.act(self.lin1(x)))


class TransformerBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = MultiHeadSelfAttention(c)
        self.sa_layer_norm = nn.LayerNorm(c["dim"], eps=1e-12)
        self.ffn = Ffn(c)
        self.output_layer_norm = nn.LayerNorm(c["dim"], eps=1e-12)

    def forward(self, x, mask):
        sa = self.sa_layer_norm(self.attention(x, mask) + x)
        return self.output_layer_norm(self.ffn(sa) + sa)


class Transformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([TransformerBlock(c) for _ in range(c["n_layers"])])

    def forward(self, x, mask):
        for block in self.layer:
            x = block(x, mask)
        return x


class DistilBertModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings, self.transformer = DistilEmbeddings(c), Transformer(c)

    def forward(self, ids, mask):
        return self.transformer(self.embeddings(ids), mask), None


def randomise(model):
    """Weights far from HF's initialisation, so that a wrong key, transpose or scale shows."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm" in name or "layer_norm" in name:
                p.copy_((1.0 if name.endswith("weight") else 0.0) + 0.2 * torch.randn_like(p))
            else:
                p.copy_(0.3 * torch.randn_like(p))


def main(family, path):
    c = CONFIGS[family]
    model = {"roberta": RobertaModel, "electra": ElectraModel, "distilbert": DistilBertModel}[family](c)
    randomise(model)
    if family == "distilbert":  # HF fills the sinusoids and freezes them
        model.embeddings.position_embeddings.weight.data.copy_(sinusoids(c["max_position_embeddings"], c["dim"]))
        model.embeddings.position_embeddings.weight.requires_grad = False
    model.eval()
    pad = c["pad_token_id"]
    ids = torch.randint(3, c["vocab_size"], (BATCH, LENGTH))
    mask = torch.ones(BATCH, LENGTH, dtype=torch.long)
    ids[1, -PADDED:], mask[1, -PADDED:] = pad, 0
    hidden, pooled = model(ids, mask)
    probe = torch.randn_like(hidden)
    loss = (hidden * probe).sum() + (pooled.sum() if pooled is not None else 0.0)
    loss.backward()
    out = {"config": c, "state": {k: v.detach().clone() for k, v in model.state_dict().items()},
           "input_ids": ids, "attention_mask": mask, "probe": probe, "last_hidden_state": hidden.detach(),
           "grads": {k: p.grad for k, p in model.named_parameters() if p.grad is not None}}
    if pooled is not None:
        out["pooler_output"] = pooled.detach()
    torch.save(out, path)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
