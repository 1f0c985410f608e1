#!/usr/bin/env bash
# Installs every Debian 12 package cyberalarm needs to build, test, fuzz and benchmark.
# Idempotent: packages already present are left alone. Runs as root or through sudo.
set -euo pipefail

packages=(
    # toolchain
    build-essential cmake ninja-build ccache clang lld libclang-rt-14-dev pkg-config git
    # libraries (see docs/dependencies.md for what each is for)
    libexpected-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
    libzstd-dev libyaml-cpp-dev libsodium-dev libssl-dev libboost-dev libboost-system-dev
    libsqlite3-dev libpcap-dev libre2-dev rapidjson-dev libhowardhinnant-date-dev tzdata
    librelp-dev openssl zlib1g-dev libcurl4-openssl-dev liboath-dev libargon2-dev sqlite3
    # reports: PDF (cairo + pango, with fonts), optional GeoIP/ASN lookups (libmaxminddb)
    libcairo2-dev libpango1.0-dev fonts-dejavu-core libmaxminddb-dev
    # tests and benchmarks
    libgtest-dev libgmock-dev libbenchmark-dev python3 hyperfine time
    # report tests: read PDFs back (pdftotext), write a small MaxMind DB (Perl writer)
    poppler-utils libmaxmind-db-writer-perl
    # real peers the collector is tested and benchmarked beside (RELP sender, forwarder)
    rsyslog rsyslog-relp
    # scanner peers (bench and accuracy comparisons)
    nmap sslscan iproute2
)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
    sudo_cmd=(sudo)
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#packages[@]} packages present"
    exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
