// cyberalarm-scan: scans only what a member has proved is theirs (or, for a local lab,
// loopback with --allow-loopback) and reports services, weaknesses and known CVEs.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "options.h"
#include "scan/record.h"
#include "scan/report.h"
#include "scan/scanner.h"
#include "scan/target.h"
#include "scan/vulndb.h"
#include "store/sqlite/sqlite_store.h"

namespace cs = cyberalarm::scan;
namespace app = cyberalarm::scan::app;
using cyberalarm::core::ErrorCode;

namespace {

constexpr const char* kExitHelp =
    "Exit codes: 0 done (nothing at or above --fail-on), 1 findings at or above --fail-on, "
    "2 usage, 3 target refused, 4 outside the scan window, 5 error.";

int fail(int code, const std::string& message) {
    std::cerr << "cyberalarm-scan: " << message << "\n";
    return code;
}

void add_options(CLI::App& cli, app::CommandLine& c) {
    cli.add_option("--target,-t", c.targets, "targets: addresses, ranges or host names, comma-separated");
    cli.add_option("--ports,-p", c.ports, "TCP ports: 22,80,8000-8100 or - for all (default: common services)");
    cli.add_flag("--json", c.json, "one JSON document on stdout");
    cli.add_flag("--allow-loopback", c.allow_loopback, "local lab: allow only 127.0.0.0/8 and ::1 (no store)");
    cli.add_option("--data-dir", c.data_dir, "server data directory: targets must be verified assets in <dir>/store.db");
    cli.add_option("--member", c.member, "member (tenant id) whose verified assets bound the scan");
    cli.add_option("--probes", c.probes, "probe file (default: " + cs::ProbeSet::default_path().string() + ")");
    cli.add_option("--vulndb", c.vulndb, "vulnerability database (JSON Lines; default <data-dir>/vulndb.jsonl)");
    cli.add_option("--cve-dir", c.cve_dir, "import CVE JSON 5 / NVD JSON records from this folder before scanning");
    cli.add_option("--import-vulndb", c.import_out, "with --cve-dir: write the database to this file and exit");
    cli.add_option("--fail-on", c.fail_on, "exit 1 when a finding is at least this severe (low, medium, high, critical)");
    cli.add_option("--window", c.window, "scan window HH:MM-HH:MM UTC; outside it the scan does not start");
    cli.add_flag("--udp", c.udp, "also probe UDP services (DNS, NTP, SNMP, SSDP, memcached, mDNS)");
    cli.add_flag("--discovery-only", c.discovery_only, "list open ports only");
    cli.add_flag("--no-checks", c.no_checks, "identify services but run no checks");
    cs::ScanOptions& s = c.scan;
    auto* syn = cli.add_flag_callback("--syn", [&s] { s.discovery.mode = cs::DiscoveryMode::kSyn; },
                                      "TCP discovery by raw SYNs (needs CAP_NET_RAW; default when permitted)");
    cli.add_flag_callback("--connect", [&s] { s.discovery.mode = cs::DiscoveryMode::kConnect; },
                          "TCP discovery by connect() even when SYN scanning is permitted")
        ->excludes(syn);
    cli.add_option("--concurrency", s.discovery.max_in_flight, "connections in flight during discovery")->capture_default_str();
    cli.add_option("--per-target", s.discovery.per_target_in_flight, "connections in flight per address")->capture_default_str();
    cli.add_option("--rate", s.discovery.per_target_rate, "new connections per second per address (0 = no cap)")->capture_default_str();
    cli.add_option("--retries", s.discovery.retries, "extra attempts for a silent port")->capture_default_str();
    cli.add_option("--workers", s.workers, "services identified and checked in parallel")->capture_default_str();
    cli.add_option("--user-agent", s.check.user_agent, "HTTP User-Agent (say who scans and why)")->capture_default_str();
    cli.add_option("--ehlo", s.check.ehlo_name, "our name in SMTP EHLO and the anonymous FTP password; "
                                                  "give the scanner host's reverse-DNS name")->capture_default_str();
    cli.add_option("--ca-file", s.check.ca_file, "extra trust anchors for certificate checks");
}

cyberalarm::core::Result<cs::VulnDb> load_db(const app::CommandLine& c, std::vector<std::string>& notes) {
    cs::VulnDb db;
    std::string path = c.vulndb;
    if (path.empty() && !c.data_dir.empty() && std::filesystem::exists(c.data_dir + "/vulndb.jsonl")) {
        path = c.data_dir + "/vulndb.jsonl";
    }
    if (!path.empty()) {
        auto loaded = cs::VulnDb::load(path);
        if (!loaded) {
            return tl::unexpected(loaded.error());
        }
        db = std::move(*loaded);
    }
    if (!c.cve_dir.empty()) {
        auto n = db.import_dir(c.cve_dir);
        if (!n) {
            return tl::unexpected(n.error());
        }
        notes.push_back("imported " + std::to_string(*n) + " CVE files from " + c.cve_dir);
    }
    return db;
}

std::optional<cyberalarm::core::Severity> severity_named(const std::string& s) {
    using cyberalarm::core::Severity;
    for (Severity v : {Severity::kInfo, Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical}) {
        if (cyberalarm::core::to_string(v) == s) {
            return v;
        }
    }
    return std::nullopt;
}

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Records the run and its results for the member (store mode).
cyberalarm::core::Status record(cyberalarm::store::Store& store, const app::CommandLine& c,
                                const cs::ScanReport& report) {
    using namespace cyberalarm::store;
    ScanRun run;
    run.member = c.member;
    run.targets = c.targets;
    run.requested_by = "cyberalarm-scan";
    run.started_ns = report.started_ns;
    run.status = "running";
    auto started = store.start_scan(Scope::of({c.member}), run);
    if (!started) {
        return tl::unexpected(started.error());
    }
    return cs::record_report(store, started->id, c.member, report, "done", now_ns());
}

// Checks the options that need no I/O and fills c.scan from them; 0 or an exit code.
int validate(app::CommandLine& c, std::optional<cyberalarm::core::Severity>& fail_on) {
    if (c.allow_loopback == !c.data_dir.empty()) {
        return fail(app::kExitUsage, "give exactly one of --allow-loopback (local lab) or --data-dir with --member");
    }
    if (!c.data_dir.empty() && c.member <= 0) {
        return fail(app::kExitUsage, "--data-dir needs --member ID");
    }
    if (cs::split_list(c.targets).empty()) {
        return fail(app::kExitUsage, "no --target given");
    }
    if (!c.fail_on.empty() && !(fail_on = severity_named(c.fail_on))) {
        return fail(app::kExitUsage, "--fail-on: unknown severity '" + c.fail_on + "'");
    }
    if (!c.ports.empty()) {
        auto ports = cs::parse_ports(c.ports);
        if (!ports) {
            return fail(app::kExitUsage, "--ports: " + ports.error().message());
        }
        c.scan.tcp_ports = std::move(*ports);
    }
    auto window = cs::ScanWindow::parse(c.window);
    if (!window) {
        return fail(app::kExitUsage, window.error().message());
    }
    c.scan.window = *window;
    c.scan.udp = c.udp;
    c.scan.identify = !c.discovery_only;
    c.scan.checks = !c.no_checks;
    c.scan.identification.user_agent = c.scan.check.user_agent;
    return app::kExitOk;
}

// The policy: loopback only, or the member's verified assets from the store (kept open in
// `store` for recording the run).
int make_policy(const app::CommandLine& c, std::unique_ptr<cyberalarm::store::Store>& store,
                cs::TargetPolicy& policy) {
    policy = cs::TargetPolicy::loopback_only();
    if (c.data_dir.empty()) {
        return app::kExitOk;
    }
    auto opened = cyberalarm::store::open_sqlite(std::filesystem::path(c.data_dir) / "store.db");
    if (!opened) {
        return fail(app::kExitError, "opening the store: " + opened.error().to_string());
    }
    store = std::move(*opened);
    auto assets = store->list_assets(cyberalarm::store::Scope::of({c.member}), c.member);
    if (!assets) {
        return fail(app::kExitError, "listing member " + std::to_string(c.member) +
                                         "'s assets: " + assets.error().message());
    }
    policy = cs::TargetPolicy::from_assets(*assets);
    return app::kExitOk;
}

int scan(app::CommandLine& c) {
    std::optional<cyberalarm::core::Severity> fail_on;
    if (int rc = validate(c, fail_on); rc != app::kExitOk) {
        return rc;
    }
    std::unique_ptr<cyberalarm::store::Store> store;
    cs::TargetPolicy policy = cs::TargetPolicy::loopback_only();
    if (int rc = make_policy(c, store, policy); rc != app::kExitOk) {
        return rc;
    }
    auto resolved = policy.resolve(cs::split_list(c.targets), cs::system_resolver());
    if (!resolved) {
        bool refused = resolved.error().code() == ErrorCode::kPermissionDenied;
        return fail(refused ? app::kExitRefused : app::kExitUsage, resolved.error().message());
    }
    auto probes = cs::ProbeSet::load(c.probes.empty() ? cs::ProbeSet::default_path() : std::filesystem::path(c.probes));
    if (!probes) {
        return fail(app::kExitError, probes.error().to_string());
    }
    std::vector<std::string> notes;
    auto db = load_db(c, notes);
    if (!db) {
        return fail(app::kExitError, db.error().to_string());
    }
    cs::Scanner scanner(*probes, db->size() > 0 ? &*db : nullptr);
    auto report = scanner.run(*resolved, c.scan);
    if (!report) {
        bool window_closed = report.error().code() == ErrorCode::kUnavailable;
        return fail(window_closed ? app::kExitOutsideWindow : app::kExitError, report.error().message());
    }
    report->notes.insert(report->notes.begin(), notes.begin(), notes.end());
    if (store) {
        if (auto st = record(*store, c, *report); !st) {
            return fail(app::kExitError, "storing results: " + st.error().to_string());
        }
    }
    std::cout << (c.json ? cs::report_json(*report) : cs::report_text(*report));
    std::cout.flush();
    bool over = fail_on && std::any_of(report->findings.begin(), report->findings.end(),
                                       [&](const cs::Finding& f) { return f.severity >= *fail_on; });
    return over ? app::kExitFindings : app::kExitOk;
}

int import(const app::CommandLine& c) {
    if (c.cve_dir.empty()) {
        return fail(app::kExitUsage, "--import-vulndb needs --cve-dir");
    }
    std::vector<std::string> notes;
    auto db = load_db(c, notes);
    if (!db) {
        return fail(app::kExitError, db.error().to_string());
    }
    if (auto st = db->save(c.import_out); !st) {
        return fail(app::kExitError, st.error().to_string());
    }
    std::cout << "wrote " << db->size() << " records to " << c.import_out << "\n";
    return app::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"cyberalarm-scan: scan a member's verified assets for exposed services, weak TLS "
                 "and known vulnerabilities"};
    cli.footer(kExitHelp);
    app::CommandLine c;
    add_options(cli, c);
    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = cli.exit(e);
        return rc == 0 ? 0 : app::kExitUsage;
    }
    return c.import_out.empty() ? scan(c) : import(c);
}
