// The whole service on loopback, each part as the real binary (issue 5 §7): cyberalarm-server
// starts on an empty data directory, the operator sets up tenants, a collector and people
// with the `cyberalarm` admin commands, the collector enrolls with its one-time token,
// `logger --tcp` sends a port scan in firewall logs to the collector, and the events and
// the finding are read back through the REST API — by the member, and by nobody else.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "../scan/loopback_server.h"
#include "collector/collector_process.h"
#include "server/server_support.h"
#include "support/child_process.h"
#include "support/test_support.h"

namespace cyberalarm::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr int kScanPorts = 60;

class ServiceOnLoopback {
public:
    // `extra_config`: more YAML sections for the server's configuration file.
    explicit ServiceOnLoopback(const std::string& extra_config = "") : data_(dir_.path() / "data") {
        const auto config = dir_.path() / "server.yaml";
        std::ofstream(config) << "server:\n  data_dir: " << data_.string()
                              << "\ningest:\n  address: 127.0.0.1\n  port: 0\n"
                              << "api:\n  address: 127.0.0.1\n  port: 0\n"
                              << extra_config;
        server_.emplace(std::vector<std::string>{CA_SERVER_BIN, "--config", config.string()},
                        dir_.path());
        if (!server_->wait_for_output("api_port=", 60s)) {
            throw std::runtime_error("server did not start: " + server_->stderr_text());
        }
        const std::string out = server_->stdout_text();
        std::smatch m;
        if (!std::regex_search(out, m, std::regex("ingest_port=(\\d+) api_port=(\\d+)"))) {
            throw std::runtime_error("no ports in: " + out);
        }
        ingest_port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
        api_port_ = static_cast<std::uint16_t>(std::stoi(m[2]));
        if (std::regex_search(out, m, std::regex("shown once[^:]*: (\\S+)"))) {
            operator_token_ = m[1];
        }
    }

    // `cyberalarm <args> --data-dir <data>`; fails the test on a non-zero exit.
    std::string cli(std::vector<std::string> args, const std::string& stdin_text = {},
                    int expect = 0) {
        args.insert(args.begin(), CA_CLI_BIN);
        args.push_back("--data-dir");
        args.push_back(data_.string());
        const CommandResult r = run_command(args, dir_.path(), stdin_text);
        EXPECT_EQ(r.exit_code, expect) << args[1] << " " << args[2] << ": " << r.err;
        return r.out;
    }
    json cli_json(std::vector<std::string> args, const std::string& stdin_text = {}) {
        args.push_back("--json");
        const std::string out = cli(std::move(args), stdin_text);
        return json::parse(out.substr(0, out.find('\n')));
    }

    // Nation "UK" → region "NW" → force "GM", with the admin commands; the force's id.
    std::string add_force() {
        const auto nation = cli_json({"tenant", "add", "--level", "nation", "--name", "UK"});
        const auto region = cli_json({"tenant", "add", "--level", "region", "--parent",
                                      std::to_string(nation["id"].get<int>()), "--name", "NW"});
        const auto force = cli_json({"tenant", "add", "--level", "force", "--parent",
                                     std::to_string(region["id"].get<int>()), "--name", "GM"});
        return std::to_string(force["id"].get<int>());
    }

    // GET on the API with a bearer token ("" for none).
    Answer api_get(const std::string& target, const std::string& token) {
        Headers headers;
        if (!token.empty()) {
            headers.emplace_back("Authorization", "Bearer " + token);
        }
        return https_request(api_port_, data_ / "ca" / "ca.pem", std::nullopt, "GET", target, "",
                             "", headers);
    }

    // A request with a JSON body.
    Answer api_send(const std::string& method, const std::string& target,
                    const std::string& body, const std::string& token) {
        return https_request(api_port_, data_ / "ca" / "ca.pem", std::nullopt, method, target,
                             "application/json", body, {{"Authorization", "Bearer " + token}});
    }

    int stop() { return server_->terminate(); }

    const std::filesystem::path& dir() const { return dir_.path(); }
    const std::filesystem::path& data() const { return data_; }
    std::uint16_t ingest_port() const { return ingest_port_; }
    const std::string& operator_token() const { return operator_token_; }
    std::string server_log() const { return server_->stderr_text(); }

private:
    TempDir dir_;
    std::filesystem::path data_;
    std::optional<ChildProcess> server_;
    std::uint16_t ingest_port_ = 0;
    std::uint16_t api_port_ = 0;
    std::string operator_token_;
};

std::filesystem::path write_collector_config(const std::filesystem::path& dir,
                                             std::uint16_t ingest_port) {
    std::filesystem::create_directories(dir);
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
    const auto path = dir / "collector.yaml";
    std::ofstream(path) << "collector:\n  name: e2e\n  state_dir: " << dir.string() << "\n"
                        << "member:\n  internal_networks: [192.168.0.0/16]\n"
                        << "  pseudonymise: false\n"
                        << "inputs:\n  - name: tcp\n    type: tcp\n    address: 127.0.0.1\n"
                        << "    port: 0\n"
                        << "spool:\n  dir: " << (dir / "spool").string() << "\n"
                        << "uplink:\n  server: https://127.0.0.1:" << ingest_port << "\n"
                        << "  ca: " << (dir / "server-ca.pem").string() << "\n"
                        << "  cert: " << (dir / "cert.pem").string() << "\n"
                        << "  key: " << (dir / "key.pem").string() << "\n"
                        << "  backoff_initial_ms: 100\n  backoff_max_ms: 500\n"
                        << "status:\n  socket: " << (dir / "status.sock").string() << "\n";
    std::filesystem::permissions(path, std::filesystem::perms::owner_read |
                                           std::filesystem::perms::owner_write);
    return path;
}

// A port scan as netfilter logs it: one SYN from 203.0.113.9 to each of `kScanPorts` ports.
std::filesystem::path write_scan_lines(const std::filesystem::path& dir, int first_port) {
    const auto path = dir / ("scan-" + std::to_string(first_port) + ".txt");
    std::ofstream out(path);
    for (int p = first_port; p < first_port + kScanPorts; ++p) {
        out << "[12345.678] IN=eth0 OUT= MAC=00:11:22:33:44:55 SRC=203.0.113.9 "
               "DST=192.168.1.10 LEN=44 TOS=0x00 PREC=0x00 TTL=49 ID=1 PROTO=TCP SPT=40000 DPT="
            << p << " WINDOW=1024 RES=0x00 SYN URGP=0\n";
    }
    return path;
}

void send_with_logger(const std::filesystem::path& dir, std::uint16_t port,
                      const std::filesystem::path& lines) {
    const CommandResult r =
        run_command({"/usr/bin/logger", "--tcp", "-n", "127.0.0.1", "-P", std::to_string(port),
                     "-t", "kernel", "-f", lines.string()},
                    dir);
    ASSERT_EQ(r.exit_code, 0) << r.err;
}

json body_of(const Answer& a) { return json::parse(a.body, nullptr, false); }

TEST(ServerCollectorE2E, EnrollSendDetectAndReadBackOnlyAsTheMember) {
    ServiceOnLoopback svc;
    ASSERT_FALSE(svc.operator_token().empty()) << "first start printed no operator token";

    // The operator's setup, with the admin commands against the server's store.
    const std::string force_id = svc.add_force();
    const auto a = svc.cli_json({"tenant", "add", "--level", "member", "--parent", force_id,
                                 "--name", "Acme School", "--networks", "192.168.0.0/16"});
    const auto b = svc.cli_json(
        {"tenant", "add", "--level", "member", "--parent", force_id, "--name", "Other Ltd"});
    const std::string member_a = std::to_string(a["id"].get<int>());
    const std::string member_b = std::to_string(b["id"].get<int>());
    svc.cli({"collector", "add", "--member", member_a, "--id", "gw-a", "--name", "gateway"});
    const std::string enroll_token =
        svc.cli_json({"enroll-token", "create", "--collector", "gw-a"})["token"];
    const std::string password = "correct horse battery staple\n";
    const auto user_a = svc.cli_json({"user", "add", "--tenant", member_a, "--role",
                                      "member_admin", "--email", "admin@acme.example",
                                      "--password-stdin"},
                                     password);
    const auto user_b = svc.cli_json({"user", "add", "--tenant", member_b, "--role",
                                      "member_viewer", "--email", "viewer@other.example",
                                      "--password-stdin"},
                                     password);
    const std::string token_a = svc.cli_json(
        {"user", "token", "--user", std::to_string(user_a["id"].get<int>())})["token"];
    const std::string token_b = svc.cli_json(
        {"user", "token", "--user", std::to_string(user_b["id"].get<int>())})["token"];

    // The collector enrolls with its one-time token, then runs.
    const auto col_dir = svc.dir() / "collector";
    const auto config = write_collector_config(col_dir, svc.ingest_port());
    const CommandResult enrolled =
        run_command({CA_COLLECTOR_BIN, "enroll", "-c", config.string(), "--token", enroll_token,
                     "--ca", (svc.data() / "ca" / "ca.pem").string()},
                    svc.dir());
    ASSERT_EQ(enrolled.exit_code, 0) << enrolled.err;
    const CommandResult reused =
        run_command({CA_COLLECTOR_BIN, "enroll", "-c", config.string(), "--token", enroll_token,
                     "--ca", (svc.data() / "ca" / "ca.pem").string(), "--overwrite"},
                    svc.dir());
    EXPECT_NE(reused.exit_code, 0) << "an enrollment token worked twice";

    CollectorProcess collector(config, col_dir / "status.sock");
    collector.start();
    ASSERT_TRUE(collector.wait_ready(30s)) << collector.stderr_text();
    const std::uint16_t syslog_port = collector.input_port(0);
    ASSERT_NE(syslog_port, 0);
    send_with_logger(svc.dir(), syslog_port, write_scan_lines(svc.dir(), 1000));

    // The member finds the events and the one port-scan finding through the API.
    json findings;
    ASSERT_TRUE(eventually(
        [&] {
            findings = body_of(svc.api_get("/api/v1/findings?member=" + member_a, token_a));
            return findings.contains("items") && findings["items"].size() == 1 &&
                   findings["items"][0]["finding"]["distinct"]["ports"] == kScanPorts;
        },
        60s))
        << findings.dump() << "\n" << svc.server_log();
    const json& finding = findings["items"][0];
    EXPECT_EQ(finding["finding"]["kind"], "port_scan");
    EXPECT_EQ(finding["finding"]["source"]["ip"], "203.0.113.9");
    const json events =
        body_of(svc.api_get("/api/v1/events?member=" + member_a + "&port=1022", token_a));
    ASSERT_EQ(events["items"].size(), 1u) << events.dump();
    EXPECT_EQ(events["items"][0]["event"]["destination"]["port"], 1022);
    const json col = body_of(svc.api_get("/api/v1/collectors/gw-a", token_a));
    EXPECT_EQ(col["events_total"], kScanPorts) << col.dump();

    // Nobody else: no token, another member's user, the operator.
    EXPECT_EQ(svc.api_get("/api/v1/events?member=" + member_a, "").status, 401u);
    EXPECT_EQ(svc.api_get("/api/v1/findings?member=" + member_a, token_b).status, 404u);
    const std::string finding_path = "/api/v1/members/" + member_a + "/findings/" +
                                     finding["id"].get<std::string>();
    EXPECT_EQ(svc.api_get(finding_path, token_b).status, 404u);
    EXPECT_EQ(svc.api_get(finding_path, token_a).status, 200u);
    EXPECT_EQ(svc.api_get("/api/v1/collectors/gw-a", token_b).status, 404u);
    const json b_findings = body_of(svc.api_get("/api/v1/findings", token_b));
    EXPECT_TRUE(b_findings["items"].empty()) << b_findings.dump();
    EXPECT_EQ(svc.api_get("/api/v1/events?member=" + member_a, svc.operator_token()).status,
              403u);

    // Ownership of an asset is checked for real (the scanner's HTTP-file check): nothing on
    // 127.0.0.1:80 serves this member's token, so it is refused with the reason, not 503.
    const std::string writer = svc.cli_json({"user", "token", "--user",
                                             std::to_string(user_a["id"].get<int>()),
                                             "--scopes", "read write"})["token"];
    const Answer asset = svc.api_send("POST", "/api/v1/members/" + member_a + "/assets",
                                      R"({"kind":"network","value":"127.0.0.1/32"})", writer);
    ASSERT_EQ(asset.status, 201u) << asset.body;
    const std::string asset_id = std::to_string(body_of(asset)["id"].get<int>());
    const Answer verify =
        svc.api_send("POST", "/api/v1/assets/" + asset_id + "/verify", "{}", writer);
    EXPECT_EQ(verify.status, 422u) << verify.body;
    EXPECT_NE(verify.body.find("ownership not proven"), std::string::npos) << verify.body;

    // Revoked by the operator: the collector's next batches are refused and nothing lands.
    svc.cli({"collector", "revoke", "gw-a"});
    send_with_logger(svc.dir(), syslog_port, write_scan_lines(svc.dir(), 2000));
    EXPECT_TRUE(collector.wait_status(
        [](const json& s) { return s["uplink"]["errors"].get<std::uint64_t>() > 0; }, 30s))
        << collector.status().value_or(json{}).dump();
    const json after = body_of(svc.api_get("/api/v1/collectors/gw-a", token_a));
    EXPECT_EQ(after["events_total"], kScanPorts) << after.dump();

    // Every read above of member A's data is in the audit log the member can list.
    const json audit = body_of(svc.api_get("/api/v1/audit?member=" + member_a, token_a));
    ASSERT_TRUE(audit.contains("items")) << audit.dump();
    EXPECT_GE(audit["items"].size(), 3u);

    // The retention job: nothing is old enough yet, and the run itself is recorded.
    const json kept = svc.cli_json({"retention", "run", "--events-days", "1"});
    EXPECT_EQ(kept["events"], 0) << kept.dump();
    EXPECT_NE(svc.cli({"retention", "history"}).find("deleted events=0"), std::string::npos);
    EXPECT_EQ(body_of(svc.api_get("/api/v1/collectors/gw-a", token_a))["events_total"],
              kScanPorts);

    collector.stop();
    EXPECT_EQ(svc.stop(), 0) << svc.server_log();
}

// Issue 8 §5 through the whole service: a member declares an address, cannot have it scanned
// until ownership is proved (here an operator attests it), then asks for a scan through the
// API; the server's scanner runs it and the results are read back — by that member only.
TEST(ServerCollectorE2E, MemberScansItsVerifiedAddressThroughTheApi) {
    scan::loopback::LoopbackServer http([](int fd) {
        scan::loopback::LoopbackServer::read_until(fd, "\r\n\r\n");
        scan::loopback::LoopbackServer::send_text(
            fd, "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Length: 3\r\n"
                "Connection: close\r\n\r\nhi\n");
    });
    ServiceOnLoopback svc("scanner:\n  every_hours: 0\n  ports: \"" +
                          std::to_string(http.port()) + "\"\n");
    const std::string force_id = svc.add_force();
    const std::string member_a = std::to_string(
        svc.cli_json({"tenant", "add", "--level", "member", "--parent", force_id, "--name", "A"})["id"]
            .get<int>());
    const std::string member_b = std::to_string(
        svc.cli_json({"tenant", "add", "--level", "member", "--parent", force_id, "--name", "B"})["id"]
            .get<int>());
    const std::string password = "correct horse battery staple\n";
    auto token_of = [&](const std::string& member, const std::string& email) {
        const auto user = svc.cli_json({"user", "add", "--tenant", member, "--role", "member_admin",
                                        "--email", email, "--password-stdin"},
                                       password);
        return svc.cli_json({"user", "token", "--user", std::to_string(user["id"].get<int>()),
                             "--scopes", "read write"})["token"]
            .get<std::string>();
    };
    const std::string token_a = token_of(member_a, "admin@a.example");
    const std::string token_b = token_of(member_b, "admin@b.example");

    const Answer added = svc.api_send("POST", "/api/v1/members/" + member_a + "/assets",
                                      R"({"kind":"network","value":"127.0.0.1"})", token_a);
    ASSERT_EQ(added.status, 201u) << added.body;
    const std::string asset_id = std::to_string(body_of(added)["id"].get<int>());
    const std::string scans = "/api/v1/members/" + member_a + "/scans";
    const Answer unproved = svc.api_send("POST", scans, R"({"targets":["127.0.0.1"]})", token_a);
    EXPECT_EQ(unproved.status, 422u) << "a scan of an unverified asset was accepted";
    svc.cli({"asset", "verify", asset_id, "--member", member_a, "--how",
             "loopback registered by the test"});
    EXPECT_EQ(svc.api_send("POST", scans, R"({"targets":["127.0.0.1"]})", token_b).status, 404u)
        << "member B asked for a scan of member A";
    const Answer accepted = svc.api_send("POST", scans, R"({"targets":["127.0.0.1"]})", token_a);
    ASSERT_EQ(accepted.status, 202u) << accepted.body;
    const std::string scan_id = std::to_string(body_of(accepted)["scan_id"].get<int>());

    json run;
    json listing;
    for (int i = 0; i < 600; ++i) {
        listing = body_of(svc.api_get(scans, token_a));
        for (const auto& r : listing["items"]) {
            if (std::to_string(r["id"].get<int>()) == scan_id) {
                run = r;
            }
        }
        if (!run.is_null() && run["status"] != "queued" && run["status"] != "running") {
            break;
        }
        std::this_thread::sleep_for(100ms);
    }
    ASSERT_FALSE(run.is_null()) << listing.dump();
    ASSERT_EQ(run["status"], "done") << run.dump() << "\n" << svc.server_log();
    EXPECT_EQ(run["targets"], "127.0.0.1");
    const json results = body_of(svc.api_get("/api/v1/scans/" + scan_id + "/results", token_a));
    bool disclosed = false;
    for (const auto& r : results["items"]) {
        disclosed |= r["check"] == "http.version_disclosure" && r["port"] == http.port();
    }
    EXPECT_TRUE(disclosed) << results.dump();
    EXPECT_GE(http.accepted(), 1);
    EXPECT_EQ(svc.api_get("/api/v1/scans/" + scan_id + "/results", token_b).status, 404u);
    EXPECT_EQ(svc.stop(), 0) << svc.server_log();
}

TEST(ServerCollectorE2E, AdminCommandsRefuseBadInputWithReasons) {
    ServiceOnLoopback svc;
    const auto nation = svc.cli_json({"tenant", "add", "--level", "nation", "--name", "UK"});
    const std::string nation_id = std::to_string(nation["id"].get<int>());
    // A member directly under a nation skips two levels.
    svc.cli({"tenant", "add", "--level", "member", "--parent", nation_id, "--name", "X"}, {}, 1);
    svc.cli({"tenant", "add", "--level", "region", "--parent", nation_id, "--name", "R",
             "--networks", "10.0.0.0/33"},
            {}, 1);
    // A member role on a nation, and a short password.
    svc.cli({"user", "add", "--tenant", nation_id, "--role", "member_admin", "--email",
             "a@b.example", "--password-stdin"},
            "correct horse battery staple\n", 2);
    svc.cli({"user", "add", "--tenant", nation_id, "--role", "national_analyst", "--email",
             "a@b.example", "--password-stdin"},
            "short\n", 1);
    // Passwords never on the command line.
    svc.cli({"user", "add", "--tenant", nation_id, "--role", "national_analyst", "--email",
             "a@b.example"},
            {}, 1);
    svc.cli({"enroll-token", "create", "--collector", "nope"}, {}, 1);
    svc.cli({"retention", "run", "--events-days", "-1"}, {}, 2);
    EXPECT_EQ(svc.stop(), 0);
}

}  // namespace
}  // namespace cyberalarm::test
