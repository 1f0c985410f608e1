#!/usr/bin/env bash
# Whole-process `cyberalarm parse` throughput on the Release build, output to /dev/null.
# Generates 1M-line iptables and mixed-vendor files (scripts/loggen.py; not committed),
# then times each with hyperfine (median of --runs) and reads peak RSS with /usr/bin/time.
#   bench/parse-throughput.sh [LINES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-1000000}
runs=${2:-5}
work=${BENCH_DIR:-/tmp/cyberalarm-bench}
mkdir -p "$work"

cmake --preset release >/dev/null
cmake --build --preset release --target cyberalarm >/dev/null
bin=./build/release/apps/cyberalarm

for kind in iptables mixed; do
    f="$work/$kind-$lines.log"
    [ -f "$f" ] || python3 scripts/loggen.py "$kind" "$lines" "$f"
done

for kind in iptables mixed; do
    f="$work/$kind-$lines.log"
    hyperfine --runs "$runs" --warmup 1 --export-json "$work/$kind.json" \
        "taskset -c 1 $bin parse $f > /dev/null" >/dev/null 2>&1
    median=$(python3 -c "import json,statistics;r=json.load(open('$work/$kind.json'))['results'][0];print(statistics.median(r['times']))")
    rss=$( { /usr/bin/time -f %M "$bin" parse "$f" > /dev/null; } 2>&1 | tail -1)
    events=$("$bin" parse --stats "$f" 2>&1 >/dev/null | sed -n 's/.*events=\([0-9]*\).*/\1/p')
    python3 - "$kind" "$lines" "$median" "$rss" "$events" <<'PY'
import sys
kind, lines, median, rss, events = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
print(f"{kind:9} lines={lines} events={events} median_s={median:.3f} lines_per_s={lines/median:,.0f} peak_rss_mb={rss/1024:.1f}")
PY
done
