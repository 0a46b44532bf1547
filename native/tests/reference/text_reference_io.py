"""Shared by the text family references (<family>_reference.py): non-trivial random weights, padded
inputs, a fixed scalar loss and the file that native/tests/text_families_test.cpp reads back.
Plain torch 1.13 only, float64 so the C++ side can compare at 1e-4 with room to spare."""
import sys

import torch

torch.set_default_dtype(torch.float64)


def randomise(model, seed):
    """Weights far from HF's initialisation, so that a misplaced term shows: norm scales near 1,
    everything else N(0, 0.2)."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=generator)
            is_norm_scale = name.endswith("weight") and p.dim() == 1
            p.copy_(1.0 + 0.1 * noise if is_norm_scale else 0.2 * noise)


def padded_inputs(vocab_size, pad_token_id, length=9, pads=(0, 4), seed=7):
    """Batch 2 (the smallest with a padded and an unpadded row); row i ends in pads[i] pad tokens."""
    generator = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, vocab_size, (len(pads), length), generator=generator)
    ids[ids == pad_token_id] = (pad_token_id + 1) % vocab_size
    mask = torch.ones(len(pads), length, dtype=torch.long)
    for row, n in enumerate(pads):
        if n:
            ids[row, -n:] = pad_token_id
            mask[row, -n:] = 0
    return ids, mask


def save(config, model, ids, mask, hidden, pooled):
    """config: config.json's fields (with model_type). Backpropagates sum(hidden * probe over kept tokens) + sum(pooled * probe) and writes
    everything to argv[1]. pooled may be None (no pooler)."""
    generator = torch.Generator().manual_seed(11)
    hidden_probe = torch.randn(hidden.shape, generator=generator)
    loss = (hidden * hidden_probe * mask.unsqueeze(-1)).sum()
    record = {"config": config, "input_ids": ids, "attention_mask": mask, "last_hidden_state": hidden.detach(),
              "hidden_probe": hidden_probe}
    if pooled is not None:
        pooled_probe = torch.randn(pooled.shape, generator=generator)
        loss = loss + (pooled * pooled_probe).sum()
        record.update(pooler_output=pooled.detach(), pooled_probe=pooled_probe)
    loss.backward()
    record["state"] = {k: v.detach().clone() for k, v in model.state_dict().items()}
    record["grads"] = {k: p.grad.detach().clone() for k, p in model.named_parameters() if p.grad is not None}
    torch.save(record, sys.argv[1])
