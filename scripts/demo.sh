#!/usr/bin/env bash
# The main job on bundled sample data (README quick start): installs what is missing, makes a
# Release build, and turns the sample gateway logs in samples/ into normalised metadata
# events (out/events.jsonl), printing per-format counts.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" --target cyberalarm
mkdir -p out
./build/release/apps/cyberalarm parse --stats samples/*.log > out/events.jsonl
echo "demo: $(wc -l < out/events.jsonl) events written to out/events.jsonl"
