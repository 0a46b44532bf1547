"""PyTorch twin of Fidelio's ResNet-18 step (ResNetTrainStepBenchmark, ResNetStepServer,
fidelio_resnet_step_driver): one training step of torchvision's resnet18 (1000-class fc) on a batch
of random 224x224 images: forward, cross-entropy, backward, global-norm clipping 0.5, AdamW (foreach).
Usage: python3 resnet_train_step.py [batch] [size] [channels_last] [compile]
channels_last: the images (and so every activation) in that layout, as Fidelio's ResNet runs; by
default PyTorch's usual contiguous (NCHW) layout. compile: the model under torch.compile (inductor).
Lock-step protocol (benchmarks/resnet_lockstep.py drives all three implementations alike): prints
"ready" once built, then answers each "step" line on stdin with the step's milliseconds and loss.
"""
import sys
import time

import torch
from torch import nn

try:
    import torchvision
    resnet18 = torchvision.models.resnet18
except (ImportError, RuntimeError):  # no torchvision, or one built for another torch
    torchvision = None


if torchvision is None:
    class BasicBlock(nn.Module):
        """torchvision.models.resnet.BasicBlock, written out."""

        def __init__(self, inplanes, planes, stride=1):
            super().__init__()
            self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.downsample = None
            if stride != 1 or inplanes != planes:
                self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

        def forward(self, x):
            identity = x if self.downsample is None else self.downsample(x)
            out = self.relu(self.bn1(self.conv1(x)))
            return self.relu(self.bn2(self.conv2(out)) + identity)

    def resnet18(weights=None, num_classes=1000):
        """torchvision.models.resnet18's architecture and initialisation (kaiming conv, unit batch norm)."""
        layers, inplanes = [], 64
        for planes, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
            layers.append(nn.Sequential(BasicBlock(inplanes, planes, stride), BasicBlock(planes, planes)))
            inplanes = planes
        model = nn.Sequential(nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True),
                              nn.MaxPool2d(3, 2, 1), *layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                              nn.Linear(512, num_classes))
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        return model


def main():
    batch, size = (int(a) for a in (sys.argv[1:3] + ["32", "224"][len(sys.argv[1:3]):]))
    channels_last = "channels_last" in sys.argv[3:]
    compiled = "compile" in sys.argv[3:]
    torch.manual_seed(1)
    model = resnet18(weights=None)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01, foreach=True)
    step_model = torch.compile(model) if compiled else model
    images = torch.randn(batch, 3, size, size)
    if channels_last:
        images = images.contiguous(memory_format=torch.channels_last)
    labels = torch.arange(batch) % 1000
    print(f"ready torch={torch.__version__} torchvision={torchvision.__version__ if torchvision else 'written out'} "
          f"threads={torch.get_num_threads()} channels_last={channels_last} compile={compiled}", flush=True)
    for _ in sys.stdin:
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = nn.functional.cross_entropy(step_model(images), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        optimizer.step()
        print(f"{(time.perf_counter() - start) * 1000:.3f} {loss.item():.5f}", flush=True)


if __name__ == "__main__":
    main()
