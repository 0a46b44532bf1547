"""Writes torchvision checkpoints and reference outputs for ImageEncoderParityTest.

For each TYPE:VARIANT:SIZE (Ludwig's encoder type and model_variant, square image side): torchvision's
own model (the builder named in torchvision-weights.tsv, random init from a fixed seed) whose
normalisation layers get non-trivial affine parameters and, for batch norm, running statistics from
a few train-mode passes; its whole state_dict (classifier included, as torchvision publishes it)
saved with torch.save under torchvision's own file name; then, with the layers Ludwig removes
replaced by Identity (the tsv's removed_keys):
  <type>_<variant>_images.f32     an input batch [2, 3, SIZE, SIZE]
  <type>_<variant>_features.f32   the features in evaluation mode
  <type>_<variant>_weight.f32     a fixed random weight w of the features' shape
  <type>_<variant>_grads/<key>.f32 in train mode with dropout off, in float64, d sum(features * w) /
                                  d parameter, for the first and the last parameter
  <type>_<variant>.json           file name, feature size, removed keys, gradient keys
Raw little-endian float32 files.

usage: /usr/bin/python3 torchvision_image_reference.py TSV OUT_DIR TYPE:VARIANT:SIZE...
"""
import json
import sys
from pathlib import Path

import torch
import torchvision


def write(path, tensor):
    tensor.detach().to(torch.float32).contiguous().numpy().astype("<f4").tofile(path)


def rows(tsv):
    table = {}
    for line in Path(tsv).read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        kind, variant, builder, file, _, _, _, removed = line.split("\t")
        table[(kind, variant)] = (builder, file, [] if removed == "-" else removed.split(","))
    return table


def cut(model, prefixes):
    """Ludwig's _remove_softmax_layer: each removed layer becomes Identity (googlenet's and
    inceptionv3's auxiliary classifiers become None, as Ludwig sets them)."""
    for prefix in prefixes:
        path = prefix.rstrip(".").split(".")
        owner = model
        for name in path[:-1]:
            owner = owner[int(name)] if name.isdigit() else getattr(owner, name)
        if path[-1].startswith("aux") or path[-1] == "AuxLogits":
            setattr(owner, path[-1], None)
            model.aux_logits = False
        elif path[-1].isdigit():
            owner[int(path[-1])] = torch.nn.Identity()
        else:
            setattr(owner, path[-1], torch.nn.Identity())


def perturbed(model, size):
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (torch.nn.BatchNorm2d, torch.nn.LayerNorm, torch.nn.GroupNorm)):
                if module.weight is not None:
                    module.weight.uniform_(0.5, 1.5)
                    module.bias.uniform_(-0.2, 0.2)
        model.train()
        for _ in range(3):  # running_mean/var and num_batches_tracked move away from their initial values
            model(torch.randn(2, 3, size, size) * 2 + 0.5)
    model.eval()


def main(tsv, out_dir, entries):
    table = rows(tsv)
    out = Path(out_dir)
    for seed, entry in enumerate(entries):
        kind, variant, size = entry.split(":")
        size = int(size)
        builder, file, removed = table[(kind, variant)]
        torch.manual_seed(1234 + seed)
        kwargs = {"aux_logits": True, "init_weights": True} if builder in ("googlenet", "inception_v3") else {}
        if builder.startswith("vit_"):
            kwargs["image_size"] = size
        model = getattr(torchvision.models, builder)(weights=None, **kwargs)
        perturbed(model, size)
        full_keys = set(model.state_dict())
        torch.save(model.state_dict(), out / file)
        cut(model, removed)
        stem = f"{kind}_{variant}"
        images = torch.rand(2, 3, size, size)
        with torch.no_grad():
            features = model(images)
        weight = torch.randn(features.shape)
        # Gradients in float64: train-mode batch norm over a batch of 2 small images is ill-conditioned
        # (torchvision's own float32 and float64 gradients of resnext50's conv1 differ by 2%).
        model.double().train()
        for module in model.modules():
            if isinstance(module, torch.nn.Dropout):
                module.eval()
        model.zero_grad()
        (model(images.double()) * weight.double()).sum().backward()
        named = [(k, p) for k, p in model.named_parameters()]
        grad_keys = [named[0][0], named[-1][0]]
        (out / f"{stem}_grads").mkdir(exist_ok=True)
        for key, parameter in named:
            if key in grad_keys:
                write(out / f"{stem}_grads" / f"{key}.f32", parameter.grad)
        write(out / f"{stem}_images.f32", images)
        write(out / f"{stem}_features.f32", features)
        write(out / f"{stem}_weight.f32", weight)
        kept = set(model.state_dict())
        (out / f"{stem}.json").write_text(json.dumps({
            "file": file, "feature_size": features.shape[1], "removed_prefixes": removed,
            "removed_keys": sorted(full_keys - kept), "gradient_keys": grad_keys, "size": size}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
