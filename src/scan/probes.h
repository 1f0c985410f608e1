// The probe file (data/scan/probes.yaml): what the scanner sends to a service and the
// patterns that name the service, product and version from the answer. The format is
// described at the top of that file and in docs/design/scanner.md ("Probe file").
//
// Invariants after a successful load: every pattern compiled (RE2, Latin-1, '.' matches
// newlines), every probe has a unique name, templates reference only groups the pattern
// has. Loading is total on any bytes (fuzz target fuzz_scan_probes).
//
// Thread safety: an immutable ProbeSet may be shared by many threads (RE2 is thread-safe).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "scan/version.h"
#include "scan/vulndb.h"

namespace re2 {
class RE2;
}

namespace cyberalarm::scan {

struct ProbeSettings {
    int banner_wait_ms = 1200;
    int probe_wait_ms = 1200;
    int idle_ms = 250;
    std::size_t max_response_bytes = 32768;
    std::vector<std::uint16_t> tls_ports;
};

struct MatchRule {
    std::shared_ptr<const re2::RE2> pattern;
    std::string pattern_text;
    std::string service, product, version, extra;  // templates ($1..$9)
    ProductKey key;
};

struct Probe {
    std::string name;
    std::string payload;  // empty: listen only (greeting)
    std::vector<std::uint16_t> ports;
    bool tls = false;  // may also run inside TLS
    std::vector<MatchRule> matches;
};

// What a match says about a service.
struct Identity {
    std::string service;  // "ssh", "http" …
    std::string product;  // "OpenSSH"
    std::string version;  // "9.2p1" ("" when not shown)
    std::string extra;    // "Debian-2+deb12u3"
    DistroInfo distro;    // from extra
    ProductKey key;
    std::string probe;    // which probe's answer matched
};

class ProbeSet {
public:
    [[nodiscard]] static core::Result<ProbeSet> parse(std::string_view yaml);
    [[nodiscard]] static core::Result<ProbeSet> load(const std::filesystem::path& file);
    // The compile-time default location (the source tree's data/scan/probes.yaml, or the
    // installed copy), unless $CYBERALARM_SCAN_PROBES names another.
    [[nodiscard]] static std::filesystem::path default_path();

    [[nodiscard]] const ProbeSettings& settings() const { return settings_; }
    [[nodiscard]] const std::vector<Probe>& probes() const { return probes_; }
    // Probes that send something, those listing `port` first, file order otherwise.
    [[nodiscard]] std::vector<const Probe*> ordered_for(std::uint16_t port) const;
    [[nodiscard]] const Probe* greeting() const;  // the listen-only probe, if any

    // The first rule of `probe` matching `response`, expanded.
    [[nodiscard]] static std::optional<Identity> match(const Probe& probe,
                                                       std::string_view response);

private:
    ProbeSettings settings_;
    std::vector<Probe> probes_;
};

// Printable excerpt of raw bytes for evidence: control bytes as \xNN, at most `max` chars.
[[nodiscard]] std::string printable(std::string_view bytes, std::size_t max = 160);

}  // namespace cyberalarm::scan
