#!/usr/bin/env bash
# Server ingest benchmark: N simulated collectors (bench/ingest_load.cpp) over mutual TLS on
# loopback against a real cyberalarm-server (Release) with a fresh SQLite data dir in /tmp.
# Prints each run and the median of RUNS runs per collector count.
#
#   bench/ingest-throughput.sh [build-dir]        (default build/release)
#   env: COLLECTORS="1 4 16" RUNS=3 EVENTS=1000000 BATCH=5000 DETECTION=true FSYNC=true
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/release}
server=$build/apps/cyberalarm-server/cyberalarm-server
load=$build/bench/ingest_load
COLLECTORS=${COLLECTORS:-"1 4 16"}
RUNS=${RUNS:-3}
EVENTS=${EVENTS:-1000000}
BATCH=${BATCH:-5000}
DETECTION=${DETECTION:-true}
FSYNC=${FSYNC:-true}
for f in "$server" "$load"; do
    [[ -x $f ]] || { echo "missing $f (ninja -C $build cyberalarm-server ingest_load)" >&2; exit 1; }
done

one_run() {  # $1 = collectors; prints ingest_load's result line
    local dir pid
    dir=$(mktemp -d /tmp/ca-ingest-XXXXXX)
    printf 'ingest:\n  port: 0\napi:\n  port: 0\nstore:\n  fsync: %s\ndetection:\n  enabled: %s\n' \
        "$FSYNC" "$DETECTION" > "$dir/server.yaml"
    "$server" --config "$dir/server.yaml" --data-dir "$dir/data" > "$dir/server.out" 2> "$dir/server.log" &
    pid=$!
    for _ in $(seq 100); do [[ -s $dir/data/ports.json ]] && break; sleep 0.1; done
    local line cpu0 cpu1 ticks
    ticks=$(getconf CLK_TCK)
    cpu0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    line=$("$load" --data-dir "$dir/data" --collectors "$1" --events "$EVENTS" --batch "$BATCH" || true)
    cpu1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    # The server's own CPU time during the run: events per CPU-second does not depend on
    # how busy the rest of the machine is.
    awk -v l="$line" -v c="$(( cpu1 - cpu0 ))" -v t="$ticks" 'BEGIN {
        match(l, /events=[0-9]+/); e = substr(l, RSTART + 7, RLENGTH - 7);
        printf "%s server_cpu_s=%.2f events_per_cpu_s=%.0f\n", l, c / t, (c > 0 ? e * t / c : 0) }'
    kill -TERM "$pid"
    wait "$pid" || true
    rm -rf "$dir"
}

field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "# events=$EVENTS batch=$BATCH detection=$DETECTION fsync=$FSYNC runs=$RUNS"
for n in $COLLECTORS; do
    results=""
    for _ in $(seq "$RUNS"); do
        line=$(one_run "$n")
        echo "$line"
        results+="$line"$'\n'
    done
    printf 'median collectors=%s events_per_s=%s events_per_cpu_s=%s ack_p50_ms=%s ack_p99_ms=%s\n' "$n" \
        "$(field events_per_s <<< "$results" | median)" \
        "$(field events_per_cpu_s <<< "$results" | median)" \
        "$(field ack_p50_ms <<< "$results" | median)" \
        "$(field ack_p99_ms <<< "$results" | median)"
done
