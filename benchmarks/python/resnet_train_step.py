"""PyTorch eager twin of Fidelio's ResNet-18 step (ResNetTrainStepBenchmark, ResNetStepServer,
fidelio_resnet_step_driver): one training step of torchvision's resnet18 (1000-class fc) on a batch
of random 224x224 images: forward, cross-entropy, backward, global-norm clipping 0.5, AdamW (foreach).
Usage: /usr/bin/python3 resnet_train_step.py [batch] [size] [channels_last]
channels_last: the images (and so every activation) in that layout, as Fidelio's ResNet runs; by
default PyTorch's usual contiguous (NCHW) layout.
Lock-step protocol (benchmarks/resnet_lockstep.py drives all three implementations alike): prints
"ready" once built, then answers each "step" line on stdin with the step's milliseconds and loss.
"""
import sys
import time

import torch
import torchvision
from torch import nn


def main():
    batch, size = (int(a) for a in (sys.argv[1:3] + ["32", "224"][len(sys.argv[1:3]):]))
    channels_last = sys.argv[3:] == ["channels_last"]
    torch.manual_seed(1)
    model = torchvision.models.resnet18(weights=None)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01, foreach=True)
    images = torch.randn(batch, 3, size, size)
    if channels_last:
        images = images.contiguous(memory_format=torch.channels_last)
    labels = torch.arange(batch) % 1000
    print(f"ready torch={torch.__version__} torchvision={torchvision.__version__} "
          f"threads={torch.get_num_threads()} channels_last={channels_last}", flush=True)
    for _ in sys.stdin:
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = nn.functional.cross_entropy(model(images), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        optimizer.step()
        print(f"{(time.perf_counter() - start) * 1000:.3f} {loss.item():.5f}", flush=True)


if __name__ == "__main__":
    main()
