#!/usr/bin/env python3
"""Sanity check for spam.csv: class balance and a bag-of-words naive Bayes baseline.

Why: a fine-tuned model should be judged against what word counts alone achieve, and a
near-perfect baseline would warn of a leak (e.g. headers that name the corpus folder).
"""
import csv
import math
import random
import re
import sys
from collections import Counter

rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")))
print("class balance:", dict(Counter(r["label"] for r in rows)), "of", len(rows))
random.Random(42).shuffle(rows)
cut = int(0.8 * len(rows))
train, test = rows[:cut], rows[cut:]
words = lambda t: re.findall(r"[a-z0-9$!']+", t.lower())

counts = {c: Counter() for c in ("ham", "spam")}
docs = Counter(r["label"] for r in train)
for r in train:
    counts[r["label"]].update(set(words(r["text"])))
vocab = set(counts["ham"]) | set(counts["spam"])


def score(text, c):  # Bernoulli-ish NB on present words, Laplace smoothing
    total = docs[c] + 2
    return math.log(docs[c]) + sum(math.log((counts[c][w] + 1) / total) for w in set(words(text)) if w in vocab)


right = sum(max(("ham", "spam"), key=lambda c: score(r["text"], c)) == r["label"] for r in test)
print(f"naive Bayes bag-of-words, 80/20 split: accuracy {right / len(test):.3f} on {len(test)} rows "
      f"(majority class: {max(Counter(r['label'] for r in test).values()) / len(test):.3f})")
