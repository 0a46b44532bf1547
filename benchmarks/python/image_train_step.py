"""PyTorch twin of Fidelio's image-family train step (fidelio_image_step_driver): one training step of
a torchvision model (its own 1000-class head) on a batch of random images: forward, cross-entropy,
backward, global-norm clipping 0.5, AdamW (foreach). Fidelio's step is the same model cut where Ludwig
cuts it, its features into a 1000-class output layer: the same layers and arithmetic.
Usage: python3 image_train_step.py MODEL [batch] [size] [channels_last]
MODEL is torchvision's builder name (resnet50, efficientnet_b0, convnext_tiny, vit_b_16, ...).
Lock-step protocol (benchmarks/resnet_lockstep.py): prints "ready" once built, then answers each
"step" line on stdin with the step's milliseconds and loss.
"""
import sys
import time

import torch
import torchvision
from torch import nn


def main():
    name = sys.argv[1]
    batch, size = (int(a) for a in (sys.argv[2:4] + ["32", "224"][len(sys.argv[2:4]):]))
    channels_last = "channels_last" in sys.argv[4:]
    torch.manual_seed(1)
    model = getattr(torchvision.models, name)(weights=None)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01, foreach=True)
    images = torch.randn(batch, 3, size, size)
    if channels_last:
        images = images.contiguous(memory_format=torch.channels_last)
    labels = torch.arange(batch) % 1000
    print(f"ready torch={torch.__version__} torchvision={torchvision.__version__} model={name} "
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
