"""PyTorch twin of TextTrainStepBenchmark: one training step of an all-MiniLM-L6-v2-shaped
BertModel (6 layers, hidden 384, 12 heads, intermediate 1536) with mean pooling and a 2-class
head, AdamW. Written out here because transformers is not installed; the architecture is HF's
BertModel with its default "sdpa" attention (post-LN, erf GELU, additive attention mask).
Usage: python3 text_train_step.py [batch] [length] [warmup] [steps] [MODE]  -> one line of results.
MODE: eager (default) or compile (the model under torch.compile, inductor, as a PyTorch 2.x user
would try); frozen or frozen_compile: the frozen-encoder pass of cached embeddings instead (eval
mode, inference_mode, the mean-pooled encoder output; FrozenEncoderPassBenchmark's twin).
"""
import statistics
import sys
import time

import torch
from torch import nn


class Layer(nn.Module):
    def __init__(self, h, heads, inter):
        super().__init__()
        self.heads, self.dh = heads, h // heads
        self.q, self.k, self.v, self.o = (nn.Linear(h, h) for _ in range(4))
        self.ln1, self.ln2 = nn.LayerNorm(h, eps=1e-12), nn.LayerNorm(h, eps=1e-12)
        self.up, self.down = nn.Linear(h, inter), nn.Linear(inter, h)
        self.drop = nn.Dropout(0.1)

    def forward(self, x, additive_mask):
        b, t, h = x.shape
        split = lambda y: y.view(b, t, self.heads, self.dh).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        p = self.drop.p if self.training else 0.0
        ctx = nn.functional.scaled_dot_product_attention(q, k, v, additive_mask, p).transpose(1, 2).reshape(b, t, h)
        x = self.ln1(self.drop(self.o(ctx)) + x)
        return self.ln2(self.drop(self.down(nn.functional.gelu(self.up(x)))) + x)


class Model(nn.Module):
    def __init__(self, vocab=30522, h=384, layers=6, heads=12, inter=1536, positions=512):
        super().__init__()
        self.words, self.pos, self.types = nn.Embedding(vocab, h, padding_idx=0), nn.Embedding(positions, h), nn.Embedding(2, h)
        self.ln, self.drop = nn.LayerNorm(h, eps=1e-12), nn.Dropout(0.1)
        self.layers = nn.ModuleList(Layer(h, heads, inter) for _ in range(layers))
        self.head = nn.Linear(h, 2)

    def pool(self, ids, mask):
        positions = torch.arange(ids.shape[1]).unsqueeze(0)
        x = self.drop(self.ln(self.words(ids) + self.types(torch.zeros_like(ids)) + self.pos(positions)))
        additive = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.layers:
            x = layer(x, additive)
        keep = mask.unsqueeze(-1).float()
        return (x * keep).sum(1) / keep.sum(1).clamp_min(1)

    def forward(self, ids, mask):
        return self.head(self.pool(ids, mask))


def main():
    args = sys.argv[1:5] + ["32", "128", "3", "10"][len(sys.argv[1:5]):]
    batch, length, warmup, steps = (int(a) for a in args)
    mode = (sys.argv[5:] or ["eager"])[0]
    torch.manual_seed(1)
    model = Model()
    frozen = mode.startswith("frozen")
    if frozen:
        model.eval()
    run = model.pool if frozen else model
    step_model = torch.compile(run) if mode.endswith("compile") else run
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5, weight_decay=0.01, foreach=True)
    ids = torch.randint(1000, 30522, (batch, length))
    mask = torch.ones(batch, length, dtype=torch.long)
    labels = torch.arange(batch) % 2
    times = []
    for step in range(warmup + steps):
        start = time.perf_counter()
        if frozen:
            with torch.inference_mode():
                step_model(ids, mask)
            if step >= warmup:
                times.append((time.perf_counter() - start) * 1000)
            continue
        optimizer.zero_grad(set_to_none=True)
        loss = nn.functional.cross_entropy(step_model(ids, mask), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        optimizer.step()
        if step >= warmup:
            times.append((time.perf_counter() - start) * 1000)
    print(f"pytorch_{mode} torch={torch.__version__} threads={torch.get_num_threads()} "
          f"median_ms={statistics.median(times):.1f} mean_ms={statistics.mean(times):.1f} "
          f"samples_per_s={batch * 1000 / statistics.median(times):.2f}")


if __name__ == "__main__":
    main()
