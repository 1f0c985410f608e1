#!/usr/bin/env bash
# The main job on bundled sample data (README quick start): installs what is missing, makes a
# Release build, and analyses a member-week of sample gateway logs (samples/gateway.log:
# normal traffic, a port scan, a host sweep, SSH password guessing, IDS alerts, beaconing and
# a known-bad address). Writes out/findings.jsonl and the HTML report out/report.html.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache keys on paths relative to the checkout, so a fresh clone reuses earlier builds.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true

bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" --target cyberalarm
mkdir -p out
./build/release/apps/cyberalarm analyze \
    --networks 203.0.113.0/26,10.20.0.0/24 \
    --intel samples/threat-intel.txt \
    --member "Example Primary School" \
    --report out/report.html \
    samples/gateway.log > out/findings.jsonl
echo "demo: $(wc -l < out/findings.jsonl) findings in out/findings.jsonl; open out/report.html"
