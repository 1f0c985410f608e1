#!/usr/bin/env bash
# The collector end to end on loopback, Release build:
#   1. syslog over TCP in → parse → privacy → spool → zstd batches over mutual TLS → the
#      protocol test server's acknowledgement: events/s (whole stream, until the server has
#      acknowledged the last event), peak and steady RSS; the collector pinned to one core.
#   2. the same stream into rsyslog (Debian's rsyslogd, imtcp → omfile, also pinned to one
#      core): what a plain relay costs on this machine.
#   3. UDP: datagrams sent at rising rates, and how many the collector turned into events.
# Median of RUNS for 1 and 2.
#   bench/collector-throughput.sh [EVENTS] [RUNS]      (defaults: 1000000 3)
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-1000000}
runs=${2:-3}
work=${BENCH_DIR:-/tmp/cyberalarm-bench}/collector
rm -rf "$work"
mkdir -p "$work"

cmake --preset release >/dev/null
cmake --build --preset release --target cyberalarm-collector test-uplink-server syslog_blast >/dev/null
bin=$PWD/build/release
collector=$bin/apps/cyberalarm-collector
blast=$bin/bench/syslog_blast

cleanup() {
    [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true
    [ -n "${collector_pid:-}" ] && kill "$collector_pid" 2>/dev/null || true
    [ -n "${rsyslog_pid:-}" ] && kill "$rsyslog_pid" 2>/dev/null || true
}
trap cleanup EXIT

# The protocol test server (on core 0 with the sender; the collector gets core 1).
mkdir -p "$work/server"
taskset -c 0 "$bin/tests/uplink/test-uplink-server" --count-only --dir "$work/server" > "$work/server.out" &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/server.out" ] && break; sleep 0.1; done
read -r url ca cert key < <(python3 -c "import json,sys;d=json.loads(open('$work/server.out').readline());print(d['url'],d['ca'],d['cert'],d['key'])")

status() { "$collector" status --json --socket "$work/state/status.sock" 2>/dev/null; }
field() { python3 -c "import json,sys;d=json.load(sys.stdin);print(eval('d'+sys.argv[1]))" "$1"; }

start_collector() {
    rm -rf "$work/state"
    mkdir -p "$work/state"
    cat > "$work/collector.yaml" <<EOF
collector: {name: bench, state_dir: $work/state}
member:
  internal_networks: [10.0.0.0/8]
inputs:
  - {name: tcp, type: tcp, address: 127.0.0.1, port: 15514}
  - {name: udp, type: udp, address: 127.0.0.1, port: 15515}
spool: {fsync: interval, fsync_interval_ms: 1000, max_bytes: 4GiB, segment_bytes: 64MiB}
uplink: {server: "$url", ca: $ca, cert: $cert, key: $key, batch_max_events: 20000}
status: {socket: $work/state/status.sock}
EOF
    taskset -c 1 "$collector" run --config "$work/collector.yaml" 2> "$work/collector.err" &
    collector_pid=$!
    for _ in $(seq 100); do status > /dev/null && return 0; sleep 0.1; done
    cat "$work/collector.err"
    exit 1
}

stop_collector() {
    kill "$collector_pid"
    wait "$collector_pid" || true
    collector_pid=
}

echo "== collector: $events events, syslog TCP in → server acknowledgement (median of $runs)"
results=()
for run in $(seq "$runs"); do
    start_collector
    t0=$(date +%s.%N)
    taskset -c 0 "$blast" tcp 15514 "$events" > "$work/blast.out"
    while :; do
        acked=$(status | field '["uplink"]["acked_seq"]')
        [ "$acked" -ge "$events" ] && break
        sleep 0.02
    done
    t1=$(date +%s.%N)
    hwm=$(awk '/VmHWM/ {print $2}' "/proc/$collector_pid/status")
    sleep 2
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$collector_pid/status")
    secs=$(python3 -c "print($t1 - $t0)")
    echo "  run $run: $(python3 -c "print(f'{$secs:.2f} s, {$events/$secs:,.0f} events/s')"), peak RSS ${hwm} kB, after ${rss} kB"
    results+=("$secs $hwm $rss")
    stop_collector
done
printf '%s\n' "${results[@]}" > "$work/collector-runs.txt"

echo "== rsyslog 8 (imtcp → omfile), same stream (median of $runs)"
rs_results=()
for run in $(seq "$runs"); do
    rm -rf "$work/rsyslog"
    mkdir -p "$work/rsyslog"
    cat > "$work/rsyslog/rsyslog.conf" <<EOF
global(workDirectory="$work/rsyslog")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="15516")
action(type="omfile" file="$work/rsyslog/out.log" asyncWriting="on" ioBufferSize="256k" flushOnTXEnd="off")
EOF
    taskset -c 1 rsyslogd -n -f "$work/rsyslog/rsyslog.conf" -i "$work/rsyslog/pid" 2> "$work/rsyslog/err" &
    rsyslog_pid=$!
    for _ in $(seq 100); do ss -ltn | grep -q ':15516 ' && break; sleep 0.1; done
    t0=$(date +%s.%N)
    taskset -c 0 "$blast" tcp 15516 "$events" > /dev/null
    while [ "$(wc -l < "$work/rsyslog/out.log" 2>/dev/null || echo 0)" -lt "$events" ]; do sleep 0.02; done
    t1=$(date +%s.%N)
    hwm=$(awk '/VmHWM/ {print $2}' "/proc/$rsyslog_pid/status")
    kill "$rsyslog_pid"; wait "$rsyslog_pid" || true; rsyslog_pid=
    secs=$(python3 -c "print($t1 - $t0)")
    echo "  run $run: $(python3 -c "print(f'{$secs:.2f} s, {$events/$secs:,.0f} events/s')"), peak RSS ${hwm} kB"
    rs_results+=("$secs $hwm")
done
printf '%s\n' "${rs_results[@]}" > "$work/rsyslog-runs.txt"

echo "== UDP: 200,000 datagrams at rising rates into the collector"
start_collector
received_before=0
for rate in 50000 100000 200000 400000 0; do
    taskset -c 0 "$blast" udp 15515 200000 "$rate" > "$work/blast.out"
    sleep 2
    s=$(status)
    frames=$(echo "$s" | field '["inputs"][1]["frames"]')
    drops=$(echo "$s" | field '["inputs"][1]["udp_drops"]')
    got=$((frames - received_before))
    received_before=$frames
    label=$([ "$rate" = 0 ] && echo "as fast as possible" || echo "$rate/s")
    echo "  $label: sent 200000 ($(cut -d'(' -f2 "$work/blast.out" | tr -d ')'))," \
         "received $got, lost $(python3 -c "print(f'{100*(200000-$got)/200000:.2f}')")% (kernel drops so far: $drops)"
done
stop_collector

python3 - "$events" "$work/collector-runs.txt" "$work/rsyslog-runs.txt" <<'PY'
import statistics, sys
n = int(sys.argv[1])
ca = [list(map(float, l.split())) for l in open(sys.argv[2])]
rs = [list(map(float, l.split())) for l in open(sys.argv[3])]
ca_s = statistics.median(r[0] for r in ca)
rs_s = statistics.median(r[0] for r in rs)
print()
print("| | median wall | events/s | peak RSS | RSS after |")
print("|---|---:|---:|---:|---:|")
print(f"| cyberalarm-collector (TCP → parse → privacy → spool → mTLS uplink, acked) | {ca_s:.2f} s | {n/ca_s:,.0f} | {statistics.median(r[1] for r in ca)/1024:.0f} MiB | {statistics.median(r[2] for r in ca)/1024:.0f} MiB |")
print(f"| rsyslogd 8 (imtcp → omfile) | {rs_s:.2f} s | {n/rs_s:,.0f} | {statistics.median(r[1] for r in rs)/1024:.0f} MiB | |")
PY
