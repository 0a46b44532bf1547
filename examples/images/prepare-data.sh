#!/usr/bin/env bash
# Rebuilds examples/images/digits/*.png and digits.csv from scikit-learn's bundled digits data set
# (Debian: python3-sklearn, python3-pil; no network). The files are committed; run this only to
# reproduce them.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
/usr/bin/python3 "$HERE/digits_to_png.py" "$HERE"
