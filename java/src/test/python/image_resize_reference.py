"""Resizes the images ImageResizeParityTest gives with torchvision's tensor resize (bilinear, no
antialiasing, rounded back to uint8), as Ludwig's image preprocessing does.

usage: /usr/bin/python3 image_resize_reference.py IN.u8 C H W OUT_H OUT_W OUT.u8
"""
import sys

import numpy as np
import torch
import torchvision.transforms.functional as F

src, c, h, w, oh, ow, dst = sys.argv[1], *map(int, sys.argv[2:7]), sys.argv[7]
image = torch.from_numpy(np.fromfile(src, dtype=np.uint8).reshape(c, h, w).copy())
resized = F.resize(image, [oh, ow], interpolation=F.InterpolationMode.BILINEAR, antialias=False)
resized.numpy().astype(np.uint8).tofile(dst)
