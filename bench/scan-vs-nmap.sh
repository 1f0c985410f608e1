#!/usr/bin/env bash
# scan-vs-nmap.sh — cyberalarm-scan beside nmap and sslscan on loopback (bench/README.md,
# "Scanner"). Traffic goes to 127.0.0.1 only.
#
#   bench/scan-vs-nmap.sh [BUILD_DIR] [LAB_STATE_DIR] [RUNS] [PARTS]
#
# BUILD_DIR defaults to build/release (a Release build with cyberalarm-scan built);
# LAB_STATE_DIR to /tmp/lab: the lab is started there with ../shared/scripts/lab-services.sh
# unless it already runs. RUNS (default 3): each timing is the median of that many runs.
# PARTS (default abc): "a" runs the port sweeps (a) only; anything with b or c also (b), (c).
# (a) all 65,535 TCP ports of 127.0.0.1: cyberalarm-scan --discovery-only --connect vs
#     nmap -sT -T5/-T4, and (as root: raw sockets) cyberalarm-scan --syn vs nmap -sS -T5/-T4
# (b) the lab's ports: identification (cyberalarm-scan --no-checks, and with every check)
#     vs nmap -sV; a table of what each found
# (c) the two HTTPS lab ports: TLS findings vs sslscan
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build/release}
LAB=${2:-/tmp/lab}
RUNS=${3:-3}
PARTS=${4:-abc}
SCAN=$BUILD/apps/cyberalarm-scan/cyberalarm-scan
LABSH=$ROOT/../shared/scripts/lab-services.sh
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

for tool in "$SCAN" nmap sslscan python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "missing: $tool" >&2; exit 2; }
done

# median_time NAME CMD... : runs CMD $RUNS times (output discarded), prints the median wall
# seconds and the median CPU seconds (user + system) of the process and its children
median_time() {
    local name=$1; shift
    local times=() cpus=()
    for _ in $(seq "$RUNS"); do
        local t0 t1
        t0=$(date +%s.%N)
        /usr/bin/time -f "%U %S" -o "$OUT/cpu" "$@" >/dev/null 2>&1 || true
        t1=$(date +%s.%N)
        times+=("$(python3 -c "print(f'{$t1-$t0:.3f}')")")
        cpus+=("$(awk 'END {printf "%.2f", $1 + $2}' "$OUT/cpu")")
    done
    local med cpu
    med=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    cpu=$(printf '%s\n' "${cpus[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    printf '| %s | %s s | %s s | %s |\n' "$name" "$med" "$cpu" "$(IFS=' '; echo "${times[*]}")"
}

if [[ $PARTS == *a* ]]; then
echo "## (a) all 65,535 TCP ports of 127.0.0.1 (median of $RUNS)"
echo
echo "| command | median | CPU (median) | runs |"
echo "| --- | ---: | ---: | --- |"
median_time "cyberalarm-scan --allow-loopback -t 127.0.0.1 -p - --discovery-only --connect" \
    "$SCAN" --allow-loopback -t 127.0.0.1 -p - --discovery-only --connect --json
median_time "nmap -sT -p- -T5 -n 127.0.0.1" nmap -sT -p- -T5 -n 127.0.0.1
median_time "nmap -sT -p- -T4 -n 127.0.0.1" nmap -sT -p- -T4 -n 127.0.0.1
SYN=0
if [ "$(id -u)" = 0 ]; then
    SYN=1
    median_time "cyberalarm-scan --allow-loopback -t 127.0.0.1 -p - --discovery-only --syn" \
        "$SCAN" --allow-loopback -t 127.0.0.1 -p - --discovery-only --syn --json
    median_time "nmap -sS -p- -T5 -n 127.0.0.1" nmap -sS -p- -T5 -n 127.0.0.1
    median_time "nmap -sS -p- -T4 -n 127.0.0.1" nmap -sS -p- -T4 -n 127.0.0.1
else
    echo "(SYN rows skipped: not root, no raw sockets)"
fi
# compare FLAG NMAP_SCAN: the open ports each tool found in one more run
compare() {
    "$SCAN" --allow-loopback -t 127.0.0.1 -p - --discovery-only --json "$1" > "$OUT/sweep.json"
    nmap "$2" -p- -T5 -n 127.0.0.1 -oG "$OUT/sweep.gnmap" >/dev/null
    python3 - "$OUT/sweep.json" "$OUT/sweep.gnmap" "$1" "$2" <<'PY'
import json, re, sys
ours = sorted(p["port"] for p in json.load(open(sys.argv[1]))["open_ports"])
theirs = sorted(int(m) for m in re.findall(r"(\d+)/open/tcp", open(sys.argv[2]).read()))
print(f"\nopen ports: cyberalarm-scan {sys.argv[3]} {len(ours)} {ours}; nmap {sys.argv[4]} {len(theirs)} {theirs}")
PY
}
compare --connect -sT
if [ "$SYN" = 1 ]; then
    compare --syn -sS
fi
echo "(ports open in one run and not the other are other engineers' short-lived listeners, or"
echo " connect-scan self-connects in the ephemeral range, docs/design/scanner.md)"
echo
fi
[[ $PARTS == *[bc]* ]] || exit 0

if ! "$LABSH" status "$LAB" >/dev/null 2>&1; then
    "$LABSH" start "$LAB" >/dev/null
fi
PORTS=$("$LABSH" ports | awk -F'[: ]+' '/^127\.0\.0\.1:/ {print $2}' | paste -sd, -)
echo "## (b) lab identification, ports $PORTS (median of $RUNS)"
echo
echo "| command | median | CPU (median) | runs |"
echo "| --- | ---: | ---: | --- |"
median_time "cyberalarm-scan --no-checks (identification only)" \
    "$SCAN" --allow-loopback -t 127.0.0.1 -p "$PORTS" --no-checks --json
median_time "cyberalarm-scan (identification and every check, CVE corpus)" \
    "$SCAN" --allow-loopback -t 127.0.0.1 -p "$PORTS" --json --ca-file "$LAB/tls/lab-ca.crt" \
    --cve-dir "$ROOT/../shared/corpus/vulndb"
median_time "nmap -sV" nmap -sV -n -p "$PORTS" 127.0.0.1
"$SCAN" --allow-loopback -t 127.0.0.1 -p "$PORTS" --no-checks --json > "$OUT/id.json"
nmap -sV -n -p "$PORTS" 127.0.0.1 -oG "$OUT/id.gnmap" >/dev/null
python3 - "$OUT/id.json" "$OUT/id.gnmap" "$LAB/services.tsv" <<'PY'
import json, re, sys
ours = {s["port"]: s for s in json.load(open(sys.argv[1]))["services"]}
theirs = {}
for port, service, info in re.findall(r"(\d+)/open/tcp//([^/]*)//([^/]*)/", open(sys.argv[2]).read()):
    theirs[int(port)] = (service, info)
lab = {}
for line in open(sys.argv[3]).read().splitlines()[1:]:
    f = line.split("\t")
    lab[int(f[1])] = (f[2], f[5] + " " + f[6])
print("\n| port | lab (Debian package) | cyberalarm-scan | nmap -sV |")
print("| --- | --- | --- | --- |")
for port in sorted(lab):
    o = ours.get(port)
    mine = "not found" if o is None else " ".join(x for x in [o["service"] + ("/tls" if o["tls"] else ""), o["product"], o["version"], o["extra"]] if x)
    t = theirs.get(port)
    nm = "not found" if t is None else " ".join(x for x in t if x)
    print(f"| {port} | {lab[port][0]}: {lab[port][1]} | {mine} | {nm} |")
print()
PY

echo "## (c) TLS on the HTTPS lab ports beside sslscan"
for port in $("$LABSH" ports | awk -F'[: ]+' '/https/ {print $2}'); do
    "$SCAN" --allow-loopback -t 127.0.0.1 -p "$port" --json --ca-file "$LAB/tls/lab-ca.crt" > "$OUT/tls-$port.json"
    sslscan --no-colour 127.0.0.1:"$port" > "$OUT/sslscan-$port.txt" 2>&1 || true
    python3 - "$port" "$OUT/tls-$port.json" "$OUT/sslscan-$port.txt" <<'PY'
import json, re, sys
port, ours, text = sys.argv[1], json.load(open(sys.argv[2])), open(sys.argv[3]).read()
checks = {f["check"]: f for f in ours["findings"] if f["port"] == int(port)}
offered = checks.get("tls.protocols", {}).get("evidence", "")
suites = set()
for c in ("tls.cipher.anonymous", "tls.cipher.broken", "tls.cipher.no_forward_secrecy", "tls.cipher.cbc_sha1"):
    if c in checks:
        suites.update(checks[c]["evidence"].replace("accepted: ", "").split())
ss_proto = dict(re.findall(r"^(SSLv[23]|TLSv1\.[0-3])\s+(enabled|disabled)", text, re.M))
ss_ciphers = re.findall(r"^(?:Preferred|Accepted)\s+(TLSv1\.[0-3])\s+\d+ bits\s+(\S+)", text, re.M)
ss_legacy = {c for v, c in ss_ciphers if v != "TLSv1.3"}
print(f"\nport {port}:\n")
print("| item | cyberalarm-scan | sslscan |")
print("| --- | --- | --- |")
for v, ours_name in (("SSLv3", "SSLv3"), ("TLSv1.0", "TLSv1.0"), ("TLSv1.1", "TLSv1.1"), ("TLSv1.2", "TLSv1.2"), ("TLSv1.3", "TLSv1.3")):
    print(f"| {v} | {'offered' if ours_name in offered.split() else 'not offered'} | {ss_proto.get(v, '?')} |")
mine_all = set(checks.get("tls.ciphers", {}).get("evidence", "").replace("accepted: ", "").split())
print(f"| TLS ≤1.2 suites accepted | {len(mine_all)} | {len(ss_legacy)} (same set: {'yes' if mine_all == ss_legacy else 'no'}) |")
print(f"| of which weak (anon, no forward secrecy, CBC/SHA-1) | {len(suites)} | — |")
print(f"| anonymous suites | {'yes' if 'tls.cipher.anonymous' in checks else 'no'} | {'yes' if any('ADH' in c or 'AECDH' in c for c in ss_legacy) else 'no'} |")
import datetime
def field(name):
    m = re.search(r"^" + name + r":\s*(.+)$", text, re.M)
    return m.group(1).strip() if m else ""
after = field("Not valid after")
try:
    expired = datetime.datetime.strptime(" ".join(after.split()), "%b %d %H:%M:%S %Y GMT") < datetime.datetime.utcnow()
except ValueError:
    expired = None
bits = field("RSA Key Strength")
theirs = {
    "tls.cert.expired": "?" if expired is None else ("yes" if expired else "no"),
    "tls.cert.self_signed": "yes" if field("Subject") and field("Subject") == field("Issuer") else "no",
    "tls.cert.weak_key": "?" if not bits else ("yes" if int(bits) < 2048 else "no"),
    "tls.cert.wrong_name": "not checked",
    "tls.hsts_missing": "not checked",
}
for c, label in (("tls.cert.expired", "certificate expired"), ("tls.cert.self_signed", "self-signed"),
                 ("tls.cert.wrong_name", "wrong name"), ("tls.cert.weak_key", "weak key"), ("tls.hsts_missing", "HSTS missing")):
    print(f"| {label} | {'yes' if c in checks else 'no'} | {theirs[c]} |")
PY
done
