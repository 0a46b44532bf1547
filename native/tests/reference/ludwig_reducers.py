#!/usr/bin/python3
"""Ludwig's reduce_output modes for sequence encoders, written out in float64 PyTorch from
ludwig/modules/reduction_modules.py (ReduceSum, ReduceMean, ReduceMax, ReduceLast, ReduceConcat) and
ludwig/modules/attention_modules.py (FeedForwardAttentionReducer: Linear(H, 256), tanh,
Linear(256, 1, bias=False), softmax over the sequence, weighted sum), for
native/tests/sequence_reduce_test.cpp.

Ludwig reduces whatever its batch holds; here each sentence is reduced over its own tokens only (its
row cut at its length, and for concat zero-padded to max_sequence_length), which is what Fidelio's
masked reductions must give on a padded batch. Writes with torch.save to argv[1]: hidden [B, T, H]
(the padding positions hold noise, as a transformer's do), attention_mask, concat_length, the
reducer's weights and, per mode, the output and the gradients of sum(output * probe)."""
import sys

import torch
from torch import nn

torch.set_default_dtype(torch.float64)
KEPT = [6, 3, 1]          # tokens per row; T = 6
HIDDEN, CONCAT_LENGTH = 5, 8


class FeedForwardAttentionReducer(nn.Module):
    def __init__(self, input_size, hidden_size=256):
        super().__init__()
        self.fc_layer1 = nn.Linear(input_size, hidden_size)
        self.fc_layer2 = nn.Linear(hidden_size, 1, bias=False)

    def forward(self, inputs):  # [b, s, h] -> [b, h]
        scores = self.fc_layer2(torch.tanh(self.fc_layer1(inputs)))
        attention = torch.softmax(scores, dim=1)
        return torch.sum(attention * inputs, dim=1)


def reduce_last(x):
    # ReduceLast takes the row at (number of non-zero positions) - 1: on a sentence cut at its
    # length, its last token.
    return x[:, -1]


def reduce_concat(x):
    padded = torch.cat([x, torch.zeros(x.shape[0], CONCAT_LENGTH - x.shape[1], x.shape[2])], 1)
    return padded.reshape(-1, padded.shape[-1] * padded.shape[-2])


def main(path):
    generator = torch.Generator().manual_seed(17)
    hidden = 2.0 * torch.randn(len(KEPT), max(KEPT), HIDDEN, generator=generator)
    mask = torch.zeros(len(KEPT), max(KEPT), dtype=torch.long)
    for row, n in enumerate(KEPT):
        mask[row, :n] = 1
    attention = FeedForwardAttentionReducer(HIDDEN)
    with torch.no_grad():
        for p in attention.parameters():
            p.copy_(0.5 * torch.randn(p.shape, generator=generator))
    reducers = {"sum": lambda x: torch.sum(x, dim=1), "mean": lambda x: torch.mean(x, dim=1),
                "max": lambda x: torch.amax(x, dim=1), "last": reduce_last, "concat": reduce_concat,
                "attention": attention}
    record = {"hidden": hidden, "attention_mask": mask, "concat_length": CONCAT_LENGTH,
              "state": {k: v.detach().clone() for k, v in attention.state_dict().items()}, "modes": {}}
    for mode, reduce in reducers.items():
        attention.zero_grad()
        x = hidden.clone().requires_grad_(True)
        output = torch.cat([reduce(x[row:row + 1, :n]) for row, n in enumerate(KEPT)])
        probe = torch.randn(output.shape, generator=generator)
        (output * probe).sum().backward()
        result = {"output": output.detach(), "probe": probe, "hidden_grad": x.grad}
        if mode == "attention":
            result["weight_grads"] = {k: p.grad.clone() for k, p in attention.named_parameters()}
        record["modes"][mode] = result
    torch.save(record, path)


if __name__ == "__main__":
    main(sys.argv[1])
