"""PyTorch twin of CachedHeadStepBenchmark: the training step of a model on cached encoder
embeddings, a 384 -> 2 linear head (Fidelio's concat combiner with no fc layers and a category
output), cross-entropy, global-norm clipping 0.5, AdamW (foreach), batch 32.
Usage: python3 head_train_step.py [batch] [width] [seconds] [eager|compile]  -> one line of results.
"""
import statistics
import sys
import time

import torch
from torch import nn


def main():
    args = sys.argv[1:4] + ["32", "384", "5"][len(sys.argv[1:4]):]
    batch, width, seconds = int(args[0]), int(args[1]), float(args[2])
    mode = (sys.argv[4:] or ["eager"])[0]
    torch.manual_seed(1)
    head = nn.Linear(width, 2)
    step_head = torch.compile(head) if mode == "compile" else head
    optimizer = torch.optim.AdamW(head.parameters(), lr=1e-3, weight_decay=0.01, foreach=True)
    embeddings = torch.randn(batch, width)
    labels = torch.arange(batch) % 2

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = nn.functional.cross_entropy(step_head(embeddings), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(head.parameters(), 0.5)
        optimizer.step()
        return loss.item()  # the trainer reads each step's loss, as Fidelio's step returns it

    for _ in range(200):
        step()
    rounds = []
    for _ in range(5):  # as JMH's five measurement iterations
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 5:
            step()
            n += 1
        rounds.append((time.perf_counter() - start) * 1e6 / n)
    print(f"pytorch_{mode} torch={torch.__version__} threads={torch.get_num_threads()} "
          f"median_us={statistics.median(rounds):.2f} steps_per_s={1e6 / statistics.median(rounds):.0f}")


if __name__ == "__main__":
    main()
