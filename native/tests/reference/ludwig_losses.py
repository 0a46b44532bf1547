#!/usr/bin/python3
"""Reference values and gradients for native/tests/ecd_modules_test.cpp (ludwig_losses): Ludwig 0.10's
loss formulas (ludwig/modules/loss_modules.py, ludwig/utils/loss_utils.py, torchmetrics' MAPE, and
ludwig/modules/loss_implementations/corn.py) written out in float64 PyTorch. Prints C++ initialisers."""
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
PREDICTED = [1.0, 2.0, 4.0, -0.5]
TARGET = [0.5, 2.5, 1.0, -2.0]
ZERO_TARGET = [0.0, 4.0]  # the epsilon paths: MAPE clamps |target| to 1.17e-6, RMSPE divides by 1e-4


def mape(p, t):  # torchmetrics.functional.mean_absolute_percentage_error
    return torch.sum(torch.abs(p - t) / torch.clamp(torch.abs(t), min=1.17e-06)) / t.numel()


def rmspe(p, t):  # ludwig.utils.loss_utils.rmspe_loss (its .float() casts keep float64 here)
    denominator = t + 1e-4 * (t == 0).to(t.dtype)
    return torch.sqrt(torch.mean(((t - p) / denominator) ** 2))


def mean_confidence_penalty(probabilities, num_classes):  # ludwig.utils.loss_utils
    max_entropy = torch.log(torch.tensor(num_classes, dtype=torch.float64))
    entropy_per_class, _ = torch.max(-probabilities * torch.log(torch.clamp(probabilities, 1e-10, 1)), dim=0)
    entropy = torch.sum(entropy_per_class, -1)
    return torch.mean((max_entropy - entropy) / max_entropy)


def bwcew(logits, t, positive_class_weight, robust_lambda, confidence_penalty):  # BWCEWLoss.forward
    loss = F.binary_cross_entropy_with_logits(logits, t, pos_weight=torch.tensor([positive_class_weight]))
    if robust_lambda > 0:
        loss = (1 - robust_lambda) * loss + robust_lambda / 2
    loss = torch.mean(loss)
    if confidence_penalty > 0:
        loss = loss + confidence_penalty * mean_confidence_penalty(torch.sigmoid(logits), 2)
    return loss


def emit(name, loss_fn, values):
    x = torch.tensor(values, requires_grad=True)
    loss = loss_fn(x)
    loss.backward()
    grad = ", ".join(repr(g) for g in x.grad.tolist())
    print(f"  {{\"{name}\", {loss.item()!r}, {{{grad}}}}},")


t = torch.tensor(TARGET)
emit("mape", lambda p: mape(p, t), PREDICTED)
emit("rmspe", lambda p: rmspe(p, t), PREDICTED)
zero = torch.tensor(ZERO_TARGET)
emit("mape zero target", lambda p: mape(p, zero), PREDICTED[:2])
emit("rmspe zero target", lambda p: rmspe(p, zero), PREDICTED[:2])
emit("huber delta 1", lambda p: F.huber_loss(p, t, delta=1.0), PREDICTED)
emit("huber delta 2.5", lambda p: F.huber_loss(p, t, delta=2.5), PREDICTED)
LOGITS = [0.25, -1.5, 2.0, 0.0]
labels = torch.tensor([1.0, 0.0, 0.0, 1.0])
emit("bwcew penalty 0.75", lambda x: bwcew(x, labels, 1.0, 0, 0.75), LOGITS)
# robust_lambda's constant lambda / 2 shifts the value only; Fidelio leaves it out, so the reference does too
emit("bwcew lambda 0.25 penalty 0.5 weight 1.5", lambda x: bwcew(x, labels, 1.5, 0.25, 0.5) - 0.25 / 2, LOGITS)


def corn_loss(logits, y_train, num_classes):  # ludwig/modules/loss_implementations/corn.py
    sets = []
    for i in range(num_classes - 1):
        label_mask = y_train > i - 1
        sets.append((label_mask, (y_train[label_mask] > i).to(torch.int64)))
    num_examples = 0
    losses = 0.0
    for task_index, (train_examples, train_labels) in enumerate(sets):
        if len(train_labels) < 1:
            continue
        num_examples += len(train_labels)
        pred = logits[train_examples, task_index]
        losses += -torch.sum(F.logsigmoid(pred) * train_labels + (F.logsigmoid(pred) - pred) * (1 - train_labels))
    return losses / num_examples


CORN_LOGITS = [[0.5, -0.25, 1.0, 0.75], [2.0, 0.5, -1.0, -0.5], [1.5, 1.0, 0.25, 2.0], [-0.5, 3.0, 1.0, 0.0],
               [1.0, 1.0, -2.0, 0.5]]
classes = torch.tensor([0, 1, 2, 3, 2])
# CORNLoss.forward: num_classes from the logits' width (Ludwig keeps num_classes logits for corn)
emit("corn", lambda x: corn_loss(x.view(5, 4), classes, 4), sum(CORN_LOGITS, []))
