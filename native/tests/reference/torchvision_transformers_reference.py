"""Reference tensors for native/tests/image_transformers_test.cpp from Debian's torchvision 0.14.

usage: torchvision_transformers_reference.py FAMILY OUT_DIR

For each of FAMILY's Ludwig 0.10 model_variants: torchvision's model, cut as
ludwig/encoders/image/torchvision.py cuts it (the last classifier layer replaced by Identity),
built from a fixed seed and perturbed away from its initialisation (every norm scale, bias, layer
scale and class token drawn uniformly, then batch-norm running statistics from a few train-mode
forwards) so that no layer is an identity; then its state_dict, an input batch and the eval-mode
features. For the family's first variant also the train-mode parameter gradients of
sum(features * weights) for fixed weights, in float32 and float64, with stochastic depth and
dropout at 0 on both sides (they are random in training).

Written as raw little-endian tensors (OUT_DIR/VARIANT.bin) with a manifest (OUT_DIR/VARIANT.txt:
name, dtype, shape per line) rather than torch.save: the C++ side then reads one tensor at a time,
which keeps vit_h_14 (632M parameters) within the test's memory budget.
"""
import sys
import warnings

import torch
import torchvision.models as tvm
from torchvision.ops import StochasticDepth

# Input sizes: batch 2 (batch norm in training needs more than one sample) and the smallest
# images each architecture takes (MaxViT: 224), so the largest variants stay within the test's time budget.
# ViT's position embedding fixes its image size: two patches a side (plus the class token).
FAMILIES = {
    "convnext": [
        (v, getattr(tvm, "convnext_" + v), {}, 64, "classifier_last")
        for v in ["tiny", "small", "base", "large"]
    ],
    "vit": [
        (v, getattr(tvm, "vit_" + v), {"image_size": 2 * p}, 2 * p, "heads_last")
        for v, p in [("b_16", 16), ("b_32", 32), ("l_16", 16), ("l_32", 32), ("h_14", 14)]
    ],
    "swin_transformer": [
        (v, getattr(tvm, "swin_" + v), {}, 64, "head") for v in ["t", "s", "b"]
    ],
    # MaxViT's partitions are laid out for 224x224 at construction: no smaller input exists.
    "maxvit": [("t", tvm.maxvit_t, {}, 224, "classifier_last")],
    # As torchvision builds them for pretrained weights (what Ludwig loads by default): transform_input
    # on, aux classifiers dropped (Ludwig drops them too).
    "googlenet": [
        ("base", tvm.googlenet, {"aux_logits": False, "transform_input": True, "init_weights": True}, 64, "fc"),
    ],
    "inceptionv3": [
        ("base", tvm.inception_v3, {"aux_logits": False, "transform_input": True, "init_weights": True}, 75, "fc"),
    ],
}


def cut(model, strategy):
    if strategy == "classifier_last":
        model.classifier[-1] = torch.nn.Identity()
    elif strategy == "heads_last":
        model.heads[-1] = torch.nn.Identity()
    elif strategy == "head":
        model.head = torch.nn.Identity()
    elif strategy == "fc":
        model.fc = torch.nn.Identity()
    return model


def perturb(model, size):
    with torch.no_grad():
        for name, p in model.named_parameters():
            leaf = name.rsplit(".", 1)[-1]
            if p.dim() == 1 and leaf == "weight":  # norm scales
                p.uniform_(0.5, 1.5)
            elif leaf == "bias":
                p.uniform_(-0.2, 0.2)
            elif leaf == "layer_scale":
                p.uniform_(0.1, 0.4)
            elif leaf == "class_token":
                p.uniform_(-0.5, 0.5)
        # Batch-norm running statistics as the cumulative average of a few training batches of 8
        # (momentum None), so evaluation normalises about as training does and the features
        # neither vanish nor blow up through the deep ReLU stacks.
        norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
        if norms:
            for m in norms:
                m.reset_running_stats()
                m.momentum = None
            model.train()
            for _ in range(3):
                model(torch.randn(8, 3, size, size) * 1.5 + 0.2)
    model.eval()


def write(path, tensors):
    with open(path + ".bin", "wb") as data, open(path + ".txt", "w") as manifest:
        for name, t in tensors.items():
            t = t.detach().contiguous().cpu()
            dtype = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64"}[t.dtype]
            manifest.write(f"{name}\t{dtype}\t{','.join(str(d) for d in t.shape)}\n")
            data.write(t.numpy().tobytes())


def main(family, out_dir):
    torch.set_num_threads(2)
    # maxvit.py calls torch.meshgrid without indexing= (its default, "ij", is what it means)
    warnings.filterwarnings("ignore", message="torch.meshgrid")
    for index, (variant, build, kwargs, size, strategy) in enumerate(FAMILIES[family]):
        torch.manual_seed(1234 + index)
        model = cut(build(**kwargs), strategy)
        perturb(model, size)
        state = model.state_dict()
        images = torch.randn(2, 3, size, size)
        with torch.no_grad():
            features = model(images)
        tensors = {"state." + k: v for k, v in state.items()}
        tensors["images"] = images
        tensors["features"] = features
        del model
        if index == 0:
            weights = torch.randn(features.shape)
            tensors["weights"] = weights
            # float32 as the C++ side computes, and float64 to judge both where float32 sums
            # nearly cancel (a bias whose shift a train-mode batch norm mostly removes).
            for prefix, dtype in [("grad.", torch.float32), ("grad64.", torch.float64)]:
                train = cut(build(**kwargs), strategy)
                train.load_state_dict(state)
                train.to(dtype).train()
                for m in train.modules():  # random in training: off here and in the C++ model
                    if isinstance(m, (StochasticDepth, torch.nn.Dropout)):
                        m.p = 0.0
                (train(images.to(dtype)) * weights.to(dtype)).sum().backward()
                for name, p in train.named_parameters():
                    tensors[prefix + name] = p.grad
        write(f"{out_dir}/{variant}", tensors)
        print(f"{family} {variant}: {len(state)} state tensors, features {tuple(features.shape)}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
