"""Applies a pretrained torchvision model's preprocessing (torchvision.transforms._presets.
ImageClassification: resize of the shorter side, centre crop, to float, ImageNet mean/std) to the
uint8 image ImageTransformParityTest gives, as Ludwig does for its torchvision encoders.

usage: /usr/bin/python3 torchvision_transform_reference.py IN.u8 C H W RESIZE CROP INTERPOLATION OUT.f32
"""
import sys

import numpy as np
import torch
from torchvision.transforms import InterpolationMode
from torchvision.transforms._presets import ImageClassification

src, c, h, w, resize, crop, interpolation, dst = (sys.argv[1], *map(int, sys.argv[2:7]), sys.argv[7], sys.argv[8])
image = torch.from_numpy(np.fromfile(src, dtype=np.uint8).reshape(c, h, w).copy())
transform = ImageClassification(crop_size=crop, resize_size=resize, interpolation=InterpolationMode(interpolation))
transform(image).numpy().astype("<f4").tofile(dst)
