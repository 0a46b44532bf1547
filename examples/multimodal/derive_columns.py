#!/usr/bin/env python3
"""Adds tabular columns derived from each message to the spam example, for the multi-modal example.

usage: derive_columns.py [SPAM_CSV] [OUT_CSV]
(defaults: examples/spam/spam.csv -> examples/multimodal/spam_multimodal.csv; Python 3 stdlib only)

Why derived here and not committed: the text is the spam example's 3.5 MB; a second copy would
double it, while these columns take a second to compute. Counts are over the whole message, which
the text encoder sees only up to max_sequence_length tokens.

Columns added: length (characters), lines, links (http://, https://, www.), exclamations, dollars
('$' signs), capitals (share of letters in upper case), link_domain (the host of the first link,
without 'www.'; empty when the message has none) and has_link (true/false).
"""
import csv
import re
import sys
from pathlib import Path

LINK = re.compile(r"(?:https?://|www\.)([A-Za-z0-9.-]+)", re.I)
HERE = Path(__file__).resolve().parent


def derive(text):
    hosts = [h.lower().rstrip(".") for h in LINK.findall(text)]
    letters = [c for c in text if c.isalpha()]
    host = hosts[0][4:] if hosts and hosts[0].startswith("www.") else (hosts[0] if hosts else "")
    return {
        "length": len(text),
        "lines": text.count("\n") + 1,
        "links": len(hosts),
        "exclamations": text.count("!"),
        "dollars": text.count("$"),
        "capitals": f"{sum(c.isupper() for c in letters) / len(letters):.4f}" if letters else "",
        "link_domain": host,
        "has_link": "true" if hosts else "false",
    }


def main(source=HERE.parent / "spam" / "spam.csv", target=HERE / "spam_multimodal.csv"):
    with open(source, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    with open(target, "w", encoding="utf-8", newline="") as f:
        extra = list(derive("").keys())
        out = csv.DictWriter(f, fieldnames=["text", "label"] + extra, lineterminator="\n")
        out.writeheader()
        for row in rows:
            out.writerow({**row, **derive(row["text"])})
    print(f"wrote {len(rows)} rows with {', '.join(extra)} to {target}")


if __name__ == "__main__":
    main(*sys.argv[1:])
