"""PyTorch twin of a whole `fidelio train` loop on a small model, where the cost is everything
around the kernels: every epoch a fresh shuffle, each batch gathered from the in-memory rows,
forward, loss, backward, global-norm clipping 0.5 (Ludwig's default), AdamW (foreach), and the
loss read back every step (Fidelio logs each step's loss). No evaluation (skip_all_evaluation).
  head     cached embeddings: ROWS x 384 floats -> Linear(384, 2), cross-entropy
  tabular  examples/tabular's model: 6 numbers + a 4-wide category embedding -> concat ->
           2 x (Linear 64, batch norm, ReLU, dropout 0.1) -> Linear(1), mean squared error
Usage: python3 train_loop.py head|tabular ROWS EPOCHS BATCH -> one line with steps/s.
The data are random: speed does not depend on the values.
"""
import sys
import time

import torch
from torch import nn


def head_model():
    return nn.Linear(384, 2)


class Tabular(nn.Module):
    def __init__(self, categories=4):
        super().__init__()
        self.origin = nn.Embedding(categories, 4)
        layers, width = [], 6 + 4
        for _ in range(2):
            layers += [nn.Linear(width, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.1)]
            width = 64
        self.fc = nn.Sequential(*layers)
        self.out = nn.Linear(64, 1)

    def forward(self, numbers, origin):
        return self.out(self.fc(torch.cat([numbers, self.origin(origin)], dim=1))).squeeze(1)


def main():
    kind, rows, epochs, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.manual_seed(1)
    if kind == "head":
        model = head_model()
        inputs = (torch.randn(rows, 384),)
        targets = torch.randint(0, 2, (rows,))
        loss_of = nn.functional.cross_entropy
    else:
        model = Tabular()
        inputs = (torch.randn(rows, 6), torch.randint(0, 4, (rows,)))
        targets = torch.randn(rows)
        loss_of = nn.functional.mse_loss
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.0, foreach=True)
    steps = 0
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(rows)
        for b in range(0, rows, batch):
            index = order[b:b + batch]
            if kind == "tabular" and len(index) == 1:
                continue  # batch norm cannot train on one row (Fidelio passes such a row through)
            optimizer.zero_grad(set_to_none=True)
            loss = loss_of(model(*(x[index] for x in inputs)), targets[index])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            optimizer.step()
            loss.item()
            steps += 1
    seconds = time.perf_counter() - start
    print(f"pytorch_eager {kind} torch={torch.__version__} threads={torch.get_num_threads()} rows={rows} "
          f"epochs={epochs} batch={batch} steps={steps} seconds={seconds:.2f} steps_per_s={steps / seconds:.0f}")


if __name__ == "__main__":
    main()
