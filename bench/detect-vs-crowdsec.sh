#!/usr/bin/env bash
# `cyberalarm detect` beside CrowdSec (Debian's crowdsec, offline replay) on the same
# ≥1M-line firewall+auth log, made by replicating the real lab run in ../shared/corpus/lab-logs
# with fresh external addresses per copy (../shared/scripts/replicate-lab-logs.py).
# Reports whole-process median wall time, lines/s, peak RSS and what each detected (scored
# against the replicated ground truth with ../shared/scripts/score-findings.py).
#   bench/detect-vs-crowdsec.sh [COPIES] [RUNS]     (150 copies ≈ 1.08M lines)
set -euo pipefail
cd "$(dirname "$0")/.."
copies=${1:-150}
runs=${2:-3}
shared=../shared
work=${BENCH_DIR:-/tmp/cyberalarm-bench}/lab-x$copies
mkdir -p "$work"

cmake --preset release >/dev/null
cmake --build --preset release --target cyberalarm >/dev/null
bin=$PWD/build/release/apps/cyberalarm

[ -f "$work/logs/all.log" ] || python3 "$shared/scripts/replicate-lab-logs.py" \
    "$shared/corpus/lab-logs" "$work/logs" --copies "$copies" --seed 7 >/dev/null
lines=$(wc -l < "$work/logs/all.log")
networks=$(python3 -c "import json;print(','.join(json.load(open('$work/logs/ground-truth.json'))['network']['internal_networks']))")

echo "== cyberalarm detect over $lines lines"
args=(detect --networks "$networks" --intel "$work/logs/threat-intel.txt" "$work/logs/all.log")
hyperfine --runs "$runs" --warmup 1 --export-json "$work/cyberalarm.json" \
    "taskset -c 1 $bin ${args[*]} > $work/cyberalarm-findings.jsonl 2>/dev/null" >/dev/null 2>&1
ca_s=$(python3 -c "import json,statistics;print(statistics.median(json.load(open('$work/cyberalarm.json'))['results'][0]['times']))")
ca_rss=$( { /usr/bin/time -f %M "$bin" "${args[@]}" > /dev/null 2>/dev/null; } 2>&1 | tail -1)
python3 "$shared/scripts/score-findings.py" "$work/logs/ground-truth.json" "$work/cyberalarm-findings.jsonl" \
    > "$work/cyberalarm-score.txt"

echo "== crowdsec replay over the same file (median of $runs)"
python3 "$shared/scripts/peer-bench.py" "$work/logs" "$work/peers" --runs "$runs" --skip-fail2ban \
    > "$work/peer-bench.log" 2>&1 || { cat "$work/peer-bench.log"; exit 1; }
cs_s=$(python3 -c "import json;print(json.load(open('$work/peers/peer-bench.json'))['crowdsec']['median_wall_s'])" 2>/dev/null ||
       python3 -c "import json,glob;d=json.load(open(glob.glob('$work/peers/*.json')[0]));print(d['crowdsec']['median_wall_s'])")

python3 - "$lines" "$ca_s" "$ca_rss" "$cs_s" <<'PY'
import sys
lines, ca, rss, cs = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
print(f"{'tool':<12} {'median_s':>9} {'lines/s':>12} {'peak_rss_mb':>12}")
print(f"{'cyberalarm':<12} {ca:>9.2f} {lines/ca:>12,.0f} {rss/1024:>12.1f}")
print(f"{'crowdsec':<12} {cs:>9.2f} {lines/cs:>12,.0f} {'':>12}")
print(f"speed-up: {cs/ca:.1f}x")
PY
echo "== what cyberalarm found"; cat "$work/cyberalarm-score.txt"
echo "== what crowdsec found"; ls "$work/peers"; cat "$work/peers"/*score*.txt 2>/dev/null || true
