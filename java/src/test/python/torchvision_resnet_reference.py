"""Writes torchvision ResNet checkpoints and reference outputs for ResNetParityTest.

For each variant: a model from torchvision's own code (random init, fixed seed) whose batch norm
layers get non-trivial statistics from a few forward passes in train mode and random affine
parameters; its state_dict saved with torch.save as resnet<N>.pth; an input batch and the model's
pooled features and fc logits in evaluation mode, as raw little-endian float32 files.

usage: /usr/bin/python3 torchvision_resnet_reference.py OUT_DIR VARIANT...
"""
import sys
from pathlib import Path

import torch
import torchvision


def write(path, tensor):
    tensor.detach().to(torch.float32).contiguous().numpy().astype("<f4").tofile(path)


def main(out_dir, variants):
    out = Path(out_dir)
    for variant in variants:
        torch.manual_seed(1234 + variant)
        model = getattr(torchvision.models, f"resnet{variant}")(weights=None)
        with torch.no_grad():
            for module in model.modules():
                if isinstance(module, torch.nn.BatchNorm2d):
                    module.weight.uniform_(0.5, 1.5)
                    module.bias.uniform_(-0.2, 0.2)
            model.train()
            for _ in range(3):  # running_mean/var and num_batches_tracked move away from their initial values
                model(torch.randn(4, 3, 64, 64) * 2 + 0.5)
        model.eval()
        torch.save(model.state_dict(), out / f"resnet{variant}.pth")
        images = torch.rand(2, 3, 64, 64)
        with torch.no_grad():
            logits = model(images)
            head, model.fc = model.fc, torch.nn.Identity()
            features = model(images)
            assert torch.allclose(head(features), logits, atol=1e-5)
        write(out / f"resnet{variant}_images.f32", images)
        write(out / f"resnet{variant}_features.f32", features)
        write(out / f"resnet{variant}_logits.f32", logits)


if __name__ == "__main__":
    main(sys.argv[1], [int(v) for v in sys.argv[2:]])
