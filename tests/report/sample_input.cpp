#include "report/sample_input.h"

#include <array>
#include <cstdio>

namespace cyberalarm::report::test {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kHour = 3600 * kSecond;

core::IpAddress ip(std::string_view text) {
    return *core::IpAddress::parse(text);
}

// A small deterministic generator (tests must not depend on rand or the clock).
struct Lcg {
    std::uint64_t state = 0x2545F4914F6CDD1Dull;
    std::uint32_t next() {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<std::uint32_t>(state >> 33);
    }
};

detect::Finding finding(detect::FindingKind kind, core::Severity sev, std::string title,
                        std::string advice, std::uint64_t count, std::int64_t first_h,
                        std::int64_t last_h) {
    detect::Finding f;
    f.kind = kind;
    f.severity = sev;
    f.title = std::move(title);
    f.advice = std::move(advice);
    f.count = count;
    f.first_seen_ns = kWeekStartNs + first_h * kHour;
    f.last_seen_ns = kWeekStartNs + last_h * kHour;
    f.member = "Riverside Primary School";
    return f;
}

std::vector<detect::Finding> sample_findings() {
    std::vector<detect::Finding> out;
    auto scan = finding(detect::FindingKind::kPortScan, core::Severity::kLow,
                        "Port scan of your public address from 198.51.100.23",
                        "No action needed: all scanned ports were blocked. Make sure only the "
                        "services you mean to offer are open.",
                        1024, 30, 31);
    scan.rule = "port_scan.vertical";
    scan.sources = {ip("198.51.100.23")};
    scan.targets = {ip("203.0.113.10")};
    scan.ports = {21, 22, 23, 80, 443, 445, 3389, 8080};
    scan.transport = core::Transport::kTcp;
    scan.distinct_sources = 1;
    scan.distinct_targets = 1;
    scan.distinct_ports = 1000;
    out.push_back(scan);

    auto brute = finding(detect::FindingKind::kBruteForce, core::Severity::kHigh,
                         "Password guessing against Remote Desktop (RDP)",
                         "Turn on multi-factor authentication for remote access, and make "
                         "Remote Desktop reachable only over your VPN.",
                         4210, 50, 56);
    brute.rule = "brute_force.rdp";
    brute.sources = {ip("45.155.205.11"), ip("45.155.205.12"), ip("185.220.101.7")};
    brute.distinct_sources = 37;
    brute.targets = {ip("203.0.113.10")};
    brute.distinct_targets = 1;
    brute.ports = {3389};
    brute.transport = core::Transport::kTcp;
    out.push_back(brute);

    auto rdp = finding(detect::FindingKind::kExposure, core::Severity::kCritical,
                       "Remote Desktop (RDP) is open to the whole internet",
                       "Close port 3389 on your firewall today, or allow it only from your VPN. "
                       "Open Remote Desktop is one of the main ways ransomware gets in.",
                       3960, 50, 56);
    rdp.rule = "exposure.allowed_inbound";
    rdp.targets = {ip("203.0.113.10")};
    rdp.distinct_targets = 1;
    rdp.distinct_sources = 37;
    rdp.ports = {3389};
    rdp.transport = core::Transport::kTcp;
    out.push_back(rdp);

    auto ids =
        finding(detect::FindingKind::kIdsAlert, core::Severity::kMedium,
                "Intrusion-detection alerts: attempted exploit of a web server flaw",
                "Check that the web server at 203.0.113.20 has its latest updates.", 57, 12, 140);
    ids.rule = "ids.aggregate";
    ids.signature_id = "2030092";
    ids.signature_name = "ET EXPLOIT Apache HTTP Server Path Traversal (CVE-2021-41773)";
    ids.sources = {ip("193.32.162.5"), ip("80.94.92.33")};
    ids.distinct_sources = 9;
    ids.targets = {ip("203.0.113.20")};
    ids.ports = {80, 443};
    ids.transport = core::Transport::kTcp;
    out.push_back(ids);

    auto beacon = finding(detect::FindingKind::kBeaconing, core::Severity::kHigh,
                          "A computer on your network calls an internet address every 5 minutes",
                          "Find the device at 10.20.4.31 and have it checked for malware; "
                          "regular call-home traffic is typical of remote-control software.",
                          1985, 0, 167);
    beacon.rule = "beacon.periodic";
    beacon.sources = {ip("10.20.4.31")};
    beacon.targets = {ip("91.215.85.142")};
    beacon.ports = {443};
    beacon.transport = core::Transport::kTcp;
    out.push_back(beacon);
    return out;
}

}  // namespace

core::Event make_event(std::int64_t time_ns, std::string_view src, std::string_view dst,
                       std::uint16_t dst_port, core::Action action, core::Transport transport) {
    core::Event e;
    e.time_ns = time_ns;
    e.format = "fortigate";
    e.src_ip = ip(src);
    e.dst_ip = ip(dst);
    e.set_src_port(40000);
    e.set_dst_port(dst_port);
    e.transport = transport;
    e.action = action;
    e.direction = core::Direction::kInbound;
    return e;
}

ReportInput sample_input() {
    SummaryBuilder builder;
    Lcg rng;
    constexpr std::array<std::uint16_t, 12> kPorts{22,   23,   445,  3389, 80,   443,
                                                   8080, 1433, 3306, 5900, 6379, 25};
    // Background scanning all week, busier in the day.
    for (std::int64_t h = 0; h < 168; ++h) {
        int n =
            250 + static_cast<int>(rng.next() % 120) + ((h % 24) >= 8 && (h % 24) < 18 ? 90 : 0);
        for (int i = 0; i < n; ++i) {
            char src[32];
            std::snprintf(src, sizeof src, "%u.%u.%u.%u", 1 + rng.next() % 220, rng.next() % 256,
                          rng.next() % 256, 1 + rng.next() % 254);
            auto port = kPorts[rng.next() % (rng.next() % 3 == 0 ? kPorts.size() : 4)];
            auto t =
                kWeekStartNs + h * kHour + static_cast<std::int64_t>(rng.next() % 3600) * kSecond;
            builder.add(make_event(t, src, "203.0.113.10", port, core::Action::kDeny));
        }
    }
    // The port scan, the RDP burst (mostly allowed: the exposure) and IDS alerts.
    for (int i = 0; i < 1024; ++i) {
        builder.add(make_event(kWeekStartNs + 30 * kHour + i * kSecond, "198.51.100.23",
                               "203.0.113.10", static_cast<std::uint16_t>(1 + i),
                               core::Action::kDeny));
    }
    for (int i = 0; i < 4210; ++i) {
        const char* src = i % 3 == 0   ? "45.155.205.11"
                          : i % 3 == 1 ? "45.155.205.12"
                                       : "185.220.101.7";
        builder.add(make_event(kWeekStartNs + 50 * kHour + i * 5 * kSecond, src, "203.0.113.10",
                               3389, i % 16 == 0 ? core::Action::kDeny : core::Action::kAllow));
    }
    for (int i = 0; i < 57; ++i) {
        auto e = make_event(kWeekStartNs + (12 + i * 2) * kHour, "193.32.162.5", "203.0.113.20",
                            443, core::Action::kAlert);
        e.category = core::Category::kIds;
        e.format = "suricata_eve";
        builder.add(e);
    }
    ReportInput input;
    input.title = "Weekly cyber alarm report";
    input.member = "Riverside Primary School";
    input.generated_ns = kWeekStartNs + 7 * 24 * kHour + 7 * kHour;
    input.summary = builder.finish();
    input.findings = sample_findings();
    return input;
}

}  // namespace cyberalarm::report::test
