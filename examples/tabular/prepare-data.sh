#!/usr/bin/env bash
# Rebuilds examples/tabular/cars.csv from the npm package vega-datasets (cars.json: StatLib's
# Auto MPG data, distributed for educational and scientific purposes; package BSD-3-Clause).
# Needs npm and python3 (stdlib). Pinned version, so the committed CSV can be reproduced byte for byte.
set -euo pipefail
VERSION=3.2.1
HERE="$(cd "$(dirname "$0")" && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# npm pack fetches the tarball only: no install scripts run, no dependency tree.
(cd "$TMP" && npm pack --silent "vega-datasets@$VERSION" >/dev/null)
tar -xzf "$TMP/vega-datasets-$VERSION.tgz" -C "$TMP" package/data/cars.json
python3 "$HERE/cars_to_csv.py" "$TMP/package/data/cars.json" "$HERE/cars.csv"
