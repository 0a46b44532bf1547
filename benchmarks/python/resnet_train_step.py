"""PyTorch eager twin of ResNetTrainStepBenchmark: one training step of torchvision's resnet18
(1000-class fc) on a batch of random 224x224 images: forward, cross-entropy, backward, global-norm
clipping 0.5, AdamW (foreach).
Usage: /usr/bin/python3 resnet_train_step.py [batch] [size] [warmup] [steps]  -> one line of results.
"""
import statistics
import sys
import time

import torch
import torchvision
from torch import nn


def main():
    batch, size, warmup, steps = (int(a) for a in (sys.argv[1:] + ["32", "224", "1", "5"][len(sys.argv) - 1:]))
    torch.manual_seed(1)
    model = torchvision.models.resnet18(weights=None)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01, foreach=True)
    images = torch.randn(batch, 3, size, size)
    labels = torch.arange(batch) % 1000
    times = []
    for step in range(warmup + steps):
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = nn.functional.cross_entropy(model(images), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        optimizer.step()
        if step >= warmup:
            times.append((time.perf_counter() - start) * 1000)
    print(f"pytorch_eager torch={torch.__version__} torchvision={torchvision.__version__} "
          f"threads={torch.get_num_threads()} median_ms={statistics.median(times):.1f} "
          f"mean_ms={statistics.mean(times):.1f} images_per_s={batch * 1000 / statistics.median(times):.2f}")


if __name__ == "__main__":
    main()
