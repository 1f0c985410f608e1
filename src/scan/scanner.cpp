#include "scan/scanner.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "scan/internal/pacer.h"


namespace cyberalarm::scan {

namespace {

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Caps how many services of one address are worked on at once.
class PerAddressGate {
public:
    explicit PerAddressGate(std::size_t cap) : cap_(std::max<std::size_t>(1, cap)) {}

    // Holds one of the address's places for its lifetime.
    class Hold {
    public:
        Hold(PerAddressGate& gate, const core::IpAddress& a) : gate_(gate), address_(a) { gate_.enter(a); }
        ~Hold() { gate_.leave(address_); }
        Hold(const Hold&) = delete;
        Hold& operator=(const Hold&) = delete;

    private:
        PerAddressGate& gate_;
        core::IpAddress address_;
    };

    void enter(const core::IpAddress& a) {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return busy_[a] < cap_; });
        ++busy_[a];
    }
    void leave(const core::IpAddress& a) {
        {
            std::lock_guard lock(mu_);
            --busy_[a];
        }
        cv_.notify_all();
    }

private:
    std::size_t cap_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::map<core::IpAddress, std::size_t> busy_;
};

std::string target_of(std::span<const ResolvedTarget> targets, const core::IpAddress& a) {
    for (const ResolvedTarget& t : targets) {
        if (std::find(t.addresses.begin(), t.addresses.end(), a) != t.addresses.end()) {
            return t.name;
        }
    }
    return a.to_string();
}

std::string host_of(std::span<const ResolvedTarget> targets, const core::IpAddress& a) {
    for (const ResolvedTarget& t : targets) {
        if (!t.host.empty() && std::find(t.addresses.begin(), t.addresses.end(), a) != t.addresses.end()) {
            return t.host;
        }
    }
    return {};
}

Finding service_finding(const ServiceReport& s) {
    Finding f;
    f.target = s.target;
    f.address = s.info.address;
    f.port = s.info.port;
    f.service = s.info.id.service;
    f.product = s.info.id.product;
    f.version = s.info.id.version;
    f.check = "service";
    f.severity = core::Severity::kInfo;
    f.title = s.info.id.service + (s.info.tls ? " over TLS" : "") +
              (f.product.empty() ? "" : ": " + f.product) + (f.version.empty() ? "" : " " + f.version) +
              (s.info.id.extra.empty() ? "" : " (" + s.info.id.extra + ")");
    f.evidence = s.info.answer.empty() ? "port open, no answer to any probe"
                                       : "answer: " + printable(s.info.answer, 120);
    f.advice = "Confirm this service is meant to be reachable.";
    return f;
}

void append(std::vector<Finding>& out, std::vector<Finding> more) {
    out.insert(out.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

TlsEntry upgrade_for(const std::string& service) {
    if (service == "smtp") {
        return TlsEntry::kSmtp;
    }
    if (service == "imap") {
        return TlsEntry::kImap;
    }
    if (service == "pop3") {
        return TlsEntry::kPop3;
    }
    if (service == "ftp") {
        return TlsEntry::kFtp;
    }
    return TlsEntry::kDirect;
}

// Which discovery ran and why, for the report's notes.
std::string discovery_note(DiscoveryMode asked, DiscoveryMode ran) {
    if (ran == DiscoveryMode::kSyn) {
        return asked == DiscoveryMode::kSyn
                   ? "TCP discovery: SYN scan (raw sockets, as asked)"
                   : "TCP discovery: SYN scan (raw sockets permitted: CAP_NET_RAW)";
    }
    return asked == DiscoveryMode::kConnect
               ? "TCP discovery: connect scan (as asked)"
               : "TCP discovery: connect scan (no CAP_NET_RAW: SYN scanning not possible)";
}

}  // namespace

std::vector<Finding> Scanner::check_service(const ServiceReport& s, const ScanOptions& o) const {
    std::vector<Finding> out;
    CheckContext ctx{s.info, s.target, o.check, probes_.settings()};
    const std::string& name = s.info.id.service;
    if (s.info.tls) {
        append(out, check_tls(ctx, TlsEntry::kDirect));
    }
    if (name == "http") {
        append(out, check_http(ctx));
    }
    if (TlsEntry e = upgrade_for(name); e != TlsEntry::kDirect && !s.info.tls) {
        bool offered = false;
        append(out, check_starttls_offered(ctx, e, offered));
        if (offered) {
            append(out, check_tls(ctx, e));
        }
    }
    append(out, check_exposure(ctx));
    if (db_ != nullptr) {
        append(out, check_vulnerabilities(ctx, *db_));
    }
    return out;
}

void Scanner::identify_all(ScanReport& report, std::span<const ResolvedTarget> targets,
                           const ScanOptions& o, const std::atomic<bool>* cancel) const {
    report.services.resize(report.open_tcp.size());
    std::vector<std::vector<Finding>> found(report.open_tcp.size());
    std::atomic<std::size_t> next{0};
    std::atomic<bool> window_closed{false};
    PerAddressGate gate(o.per_target_workers);
    // --rate bounds every connection to an address, checks' too, not only discovery's.
    internal::Pacer pacer(o.discovery.per_target_rate);
    auto work = [&] {
        internal::PacerScope paced(&pacer);
        for (std::size_t i = next++; i < report.open_tcp.size(); i = next++) {
            if ((cancel != nullptr && cancel->load()) || !o.window.open_at(now_ns())) {
                window_closed = cancel == nullptr || !cancel->load();
                report.services[i].target = "";
                continue;
            }
            const OpenPort& p = report.open_tcp[i];
            PerAddressGate::Hold hold(gate, p.address);
            ServiceReport& s = report.services[i];
            s.target = target_of(targets, p.address);
            s.info = identify(probes_, p.address, p.port, host_of(targets, p.address), o.identification);
            found[i].push_back(service_finding(s));
            if (o.checks) {
                append(found[i], check_service(s, o));
            }
        }
    };
    std::vector<std::thread> pool;
    std::size_t n = std::min(std::max<std::size_t>(1, o.workers), report.open_tcp.size());
    for (std::size_t k = 0; k < n; ++k) {
        pool.emplace_back(work);
    }
    for (std::thread& t : pool) {
        t.join();
    }
    std::erase_if(report.services, [](const ServiceReport& s) { return s.target.empty(); });
    for (auto& f : found) {
        append(report.findings, std::move(f));
    }
    if (window_closed) {
        report.notes.push_back("the scan window " + o.window.to_string() +
                               " closed during the scan: services after that were not checked");
    }
}

core::Result<ScanReport> Scanner::run(std::span<const ResolvedTarget> targets,
                                      const ScanOptions& o, const std::atomic<bool>* cancel) const {
    ScanReport report;
    report.started_ns = now_ns();
    if (!o.window.open_at(report.started_ns)) {
        return core::fail(core::Error(core::ErrorCode::kUnavailable,
                                      "outside the scan window " + o.window.to_string() +
                                          ": not starting"));
    }
    report.targets.assign(targets.begin(), targets.end());
    report.ports_scanned = o.tcp_ports.empty() ? default_tcp_ports() : o.tcp_ports;
    std::vector<core::IpAddress> addresses;
    for (const ResolvedTarget& t : targets) {
        addresses.insert(addresses.end(), t.addresses.begin(), t.addresses.end());
    }
    std::sort(addresses.begin(), addresses.end());
    addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());
    auto open = scan_tcp(addresses, report.ports_scanned, o.discovery, &report.stats, cancel);
    if (!open) {
        return core::fail(open.error());
    }
    report.notes.push_back(discovery_note(o.discovery.mode, report.stats.mode));
    report.open_tcp = std::move(*open);
    if (o.udp) {
        report.udp = scan_udp(addresses, o.udp_options, cancel);
        for (const UdpAnswer& u : report.udp) {
            append(report.findings, udp_findings(u, target_of(targets, u.address)));
        }
    }
    if (db_ == nullptr && o.identify) {
        report.notes.push_back("no vulnerability database loaded: CVE matching skipped");
    }
    if (o.identify) {
        identify_all(report, targets, o, cancel);
    }
    std::stable_sort(report.findings.begin(), report.findings.end(),
                     [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
    report.finished_ns = now_ns();
    return report;
}

}  // namespace cyberalarm::scan
