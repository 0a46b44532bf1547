#!/usr/bin/python3
"""Reference tensors for native/tests/image_mobile_test.cpp: torchvision 0.14's own models (Debian's
python3-torchvision) cut where Ludwig 0.10 cuts them (ludwig/encoders/image/torchvision.py replaces the
last classifier layer by Identity). Usage: torchvision_mobile_reference.py OUT_DIR FAMILY.

For every variant of FAMILY it writes OUT_DIR/<variant>.pt, a dict of
  state:    the state_dict without the removed layer, batch norm moved off its initial 1/0 (affine
            parameters drawn uniformly, then running statistics of a few train-mode batches), so a
            loader that skipped or swapped a batch norm tensor would change the features;
  input:    [2, 3, 64, 64] images (float64);
  features: the eval-mode output at Ludwig's cut, computed in float64;
and for the family's first variant also init_std, the standard deviation of every convolution and
linear weight of 4096 entries or more as torchvision initialises it, and grad_input, grad_weight (a
fixed [2, F] tensor) and grads: the train-mode gradients of sum(features * grad_weight) per parameter,
with dropout and stochastic depth set to 0 (random masks cannot match across two generators).

Float64 throughout (the state stays float32, as a checkpoint is): randomly initialised networks are
ill-conditioned in float32. Training-mode batch norm over 8 values per channel amplifies rounding
(torchvision's own float32 and float64 gradients of mobilenetv2 differed by 2%), and before the affine
draw moved ahead of the statistics, efficientnet b3's float32 and float64 features differed by a third.
A parity test must see the implementation, not the rounding.

The largest variants (efficientnet b5, b6, b7 and v2_l, 30M to 118M parameters; regnet x_16gf, x_32gf,
y_16gf, y_32gf, y_128gf, 54M to 644M) would take minutes to initialise, save and load on two cores,
and y_128gf would not fit the test's memory twice over: they get only their parameter and buffer
shapes, built without initialisation; their blocks are the smaller variants' with other widths and
depths."""
import sys
from unittest import mock

import torch
import torchvision.models as tvm
from torch import nn
from torchvision.ops import StochasticDepth

# Batch 2 and 64x64 images: every family reaches a 2x2 final map (stride 32), which keeps batch norm's
# training statistics meaningful and the whole test within ~2 minutes on two cores.
SIZE = 64
FAMILIES = {
    "mobilenetv2": ("classifier_last", {"base": tvm.mobilenet_v2}),
    "mobilenetv3": ("classifier_last", {"small": tvm.mobilenet_v3_small, "large": tvm.mobilenet_v3_large}),
    "efficientnet": ("classifier_last", {
        "b0": tvm.efficientnet_b0, "b1": tvm.efficientnet_b1, "b2": tvm.efficientnet_b2,
        "b3": tvm.efficientnet_b3, "b4": tvm.efficientnet_b4, "b5": tvm.efficientnet_b5,
        "b6": tvm.efficientnet_b6, "b7": tvm.efficientnet_b7, "v2_s": tvm.efficientnet_v2_s,
        "v2_m": tvm.efficientnet_v2_m, "v2_l": tvm.efficientnet_v2_l}),
    "mnasnet": ("classifier_last", {
        "0_5": tvm.mnasnet0_5, "0_75": tvm.mnasnet0_75, "1_0": tvm.mnasnet1_0, "1_3": tvm.mnasnet1_3}),
    "shufflenet_v2": ("fc", {
        "x0_5": tvm.shufflenet_v2_x0_5, "x1_0": tvm.shufflenet_v2_x1_0,
        "x1_5": tvm.shufflenet_v2_x1_5, "x2_0": tvm.shufflenet_v2_x2_0}),
    "regnet": ("fc", {name[len("regnet_"):]: getattr(tvm, name) for name in [
        "regnet_x_400mf", "regnet_x_800mf", "regnet_x_1_6gf", "regnet_x_3_2gf", "regnet_x_8gf",
        "regnet_x_16gf", "regnet_x_32gf", "regnet_y_400mf", "regnet_y_800mf", "regnet_y_1_6gf",
        "regnet_y_3_2gf", "regnet_y_8gf", "regnet_y_16gf", "regnet_y_32gf", "regnet_y_128gf"]}),
    "densenet": ("classifier", {"121": tvm.densenet121, "161": tvm.densenet161,
                                "169": tvm.densenet169, "201": tvm.densenet201}),
}


def cut(model, where):  # TVBaseEncoder._remove_softmax_layer
    if where == "classifier_last":
        model.classifier[-1] = nn.Identity()
    elif where == "classifier":
        model.classifier = nn.Identity()
    else:
        model.fc = nn.Identity()


def move_batch_norm(model, generator):
    """Affine parameters drawn around 1 and 0, then running statistics of three random batches through
    those (cumulative average): values a real checkpoint has, consistent layer to layer, so evaluation
    normalises as training did and a deep network stays well scaled (statistics gathered before the
    affine draw mismatch at every layer and blow efficientnet b6's features up to 1e7, chaotically)."""
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    model.train()
    with torch.no_grad():
        for m in norms:
            m.momentum = None
            m.weight.uniform_(0.7, 1.3, generator=generator)
            m.bias.uniform_(-0.2, 0.2, generator=generator)
        for _ in range(3):
            model(torch.randn(2, 3, SIZE, SIZE, generator=generator))


SHAPES_ONLY = {"b5", "b6", "b7", "v2_l", "x_16gf", "x_32gf", "y_16gf", "y_32gf", "y_128gf"}


def uninitialised(build):
    """build() with the weight initialisers patched out: the tensors keep torch.empty's pages."""
    def nothing(*args, **kwargs):
        return None
    with mock.patch.object(nn.modules.conv._ConvNd, "reset_parameters", nothing), \
            mock.patch.object(nn.Linear, "reset_parameters", nothing), mock.patch.object(nn.init, "normal_", nothing):
        return build()


def main(out_dir, family):
    where, variants = FAMILIES[family]
    for index, (variant, build) in enumerate(variants.items()):
        torch.manual_seed(0)
        generator = torch.Generator().manual_seed(1)
        if variant in SHAPES_ONLY:
            model = uninitialised(build)
            cut(model, where)
            torch.save({"shapes": {k: torch.tensor(list(v.shape), dtype=torch.long)
                                  for k, v in model.state_dict().items()}},
                       f"{out_dir}/{variant}.pt")
            continue
        model = build()
        cut(model, where)
        move_batch_norm(model, generator)
        record = {"state": {k: v.detach().clone() for k, v in model.state_dict().items()},
                  "input": torch.randn(2, 3, SIZE, SIZE, generator=generator, dtype=torch.float64)}
        model.double().eval()
        with torch.no_grad():
            record["features"] = model(record["input"])
        if index == 0:
            record["init_std"] = {k: v.std() for k, v in record["state"].items()
                                  if k.endswith("weight") and v.dim() > 1 and v.numel() >= 4096}
            for m in model.modules():
                if isinstance(m, (nn.Dropout, StochasticDepth)):
                    m.p = 0.0
            model.train()
            record["grad_input"] = torch.randn(2, 3, SIZE, SIZE, generator=generator, dtype=torch.float64)
            features = model(record["grad_input"])
            record["grad_weight"] = torch.randn(features.shape, generator=generator, dtype=torch.float64)
            (features * record["grad_weight"]).sum().backward()
            record["grads"] = {k: p.grad for k, p in model.named_parameters()}
        torch.save(record, f"{out_dir}/{variant}.pt")
        del model, record


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
