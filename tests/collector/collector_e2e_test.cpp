// The collector as a member runs it: the real binary, real sockets on loopback, a real
// spool on disk and the protocol test server over mutual TLS, enrolled with a token.
//
// What the issue asks to be proven: no content reaches the spool or the wire; kill -9 in
// the middle of a 100,000-event stream loses nothing accepted and duplicates nothing; events
// spool while the server is down and drain in order; a full disk gives a clear error and
// counted drops, never a corrupt segment; malformed and oversize frames are skipped while the
// connection and its good frames survive; the daemon drops root, listens on nothing it was
// not told to, and cannot start a shell.
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "collector/collector_process.h"
#include "core/ecs_json.h"
#include "core/event_codec.h"
#include "support/test_support.h"
#include "uplink/test_server.h"

namespace cyberalarm::test {
namespace {

using namespace std::chrono_literals;

int run_command(std::vector<std::string> args, std::string* output = nullptr) {
    int pipefd[2];
    if (::pipe(pipefd) != 0) {
        return -1;
    }
    pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(pipefd[1], 1);
        ::dup2(pipefd[1], 2);
        ::close(pipefd[0]);
        ::close_range(3, ~0u, 0);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execvp(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(pipefd[1]);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(pipefd[0], buf, sizeof(buf))) > 0) {
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(pipefd[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (output) *output = out;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_all(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Every byte of every file under dir.
std::string bytes_under(const std::filesystem::path& dir) {
    std::string all;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
        if (e.is_regular_file()) {
            all += read_all(e.path());
        }
    }
    return all;
}

struct ConfigOptions {
    ConfigOptions& with_inputs(std::string v) { inputs = std::move(v); return *this; }
    ConfigOptions& with_spool(std::string v) { spool = std::move(v); return *this; }
    ConfigOptions& without_uplink() { uplink = false; return *this; }
    ConfigOptions& as_user(std::string v) { user = std::move(v); return *this; }

    std::string inputs = "  - {name: tcp, type: tcp, address: 127.0.0.1, port: 0}\n";
    std::string spool = "{fsync: interval, fsync_interval_ms: 200}";
    bool uplink = true;
    std::string user;
};

class CollectorE2E : public ::testing::Test {
protected:
    void SetUp() override {
        UplinkTestServerOptions o;
        o.dir = dir_.path() / "server";
        std::filesystem::create_directories(o.dir);
        server_ = std::make_unique<UplinkTestServer>(o);
        server_->start();
    }

    std::filesystem::path state() const { return dir_.path() / "state"; }
    std::filesystem::path socket() const { return state() / "status.sock"; }

    void enroll() {
        std::string token = server_->add_token("member-17-gw");
        std::string out;
        int rc = run_command({collector_binary().string(), "enroll", "--server", server_->url(),
                              "--token", token, "--ca", server_->ca_file().string(), "--dir",
                              state().string()},
                             &out);
        ASSERT_EQ(rc, 0) << out;
        ASSERT_NE(out.find("enrolled as member-17-gw"), std::string::npos) << out;
    }

    std::filesystem::path write_config(const ConfigOptions& c) {
        std::ostringstream y;
        y << "collector: {name: e2e, state_dir: " << state().string()
          << (c.user.empty() ? "" : ", user: " + c.user) << "}\n"
          << "member:\n  internal_networks: [10.0.0.0/8, \"2001:db8:10::/48\"]\n"
          << "  trusted_sources: [198.51.100.77]\n"
          << "inputs:\n"
          << c.inputs << "spool: " << c.spool << "\n";
        if (c.uplink) {
            y << "uplink: {server: " << server_->url()
              << ", backoff_initial_ms: 50, backoff_max_ms: 400, timeout_ms: 5000}\n";
        }
        y << "status: {socket: " << socket().string() << "}\n";
        auto path = dir_.path() / "collector.yaml";
        std::ofstream(path) << y.str();
        return path;
    }

    TempDir dir_;
    std::unique_ptr<UplinkTestServer> server_;
};

std::uint64_t input_counter(const nlohmann::json& s, std::size_t i, const char* key) {
    return s["inputs"][i][key].get<std::uint64_t>();
}

TEST_F(CollectorE2E, NoContentReachesTheSpoolOrTheWire) {
    enroll();
    // Lines full of what must never leave: user names, passwords, URLs with queries, mail
    // addresses, payload. Each still carries metadata worth sending.
    const std::vector<std::string> lines = {
        "<38>Nov 23 10:00:01 web1 sshd[311]: Failed password for invalid user alice.smithers "
        "from 203.0.113.50 port 4242 ssh2",
        "<38>Nov 23 10:00:02 web1 sshd[311]: Accepted password for dave.operator from "
        "203.0.113.51 port 4243 ssh2",
        R"({"timestamp":"2026-11-23T10:00:03.000000+0000","event_type":"alert","src_ip":"203.0.113.52","src_port":51000,"dest_ip":"10.0.0.7","dest_port":80,"proto":"TCP","alert":{"action":"allowed","gid":1,"signature_id":2010935,"rev":3,"signature":"ET POLICY Suspicious inbound to MSSQL port 1433","category":"Potentially Bad Traffic","severity":2},"http":{"hostname":"intranet.example","url":"/login.php?user=bobthebuilder&password=hunter2pass","http_user_agent":"Mozilla/5.0 carol.jones@example.org","http_method":"GET"},"payload":"R0VUIC9zZWNyZXQtcGF0aC14eXo=","payload_printable":"GET /secret-path-xyz HTTP/1.1"})",
        "<134>Nov 23 10:00:04 fw CEF:0|Vendor|Product|1.0|100|Blocked request|5|src=203.0.113.53 "
        "dst=10.0.0.8 spt=50000 dpt=443 proto=TCP act=blocked "
        "request=https://victim.example/admin?token\\=abc123zz suser=dave.operator "
        "duser=erin.analyst@example.com msg=password\\=Sup3rS3cretPW",
    };
    const std::vector<std::string> secrets = {
        "alice.smithers", "dave.operator", "bobthebuilder", "hunter2pass",
        "carol.jones",    "secret-path",  "R0VUIC9zZWNyZXQ", "abc123zz",
        "erin.analyst",   "Sup3rS3cretPW", "/login.php",     "victim.example/admin",
    };

    // First with the server down, so the spool holds everything.
    server_->stop();
    auto config = write_config({});
    CollectorProcess collector(config, socket());
    collector.start();
    ASSERT_TRUE(collector.wait_ready(10s)) << collector.stderr_text();
    {
        TcpSender tcp(collector.input_port(0));
        for (const auto& l : lines) {
            ASSERT_TRUE(tcp.send(l + "\n"));
        }
    }
    ASSERT_TRUE(collector.wait_status(
        [&](const nlohmann::json& s) { return input_counter(s, 0, "lines") == lines.size(); }, 10s));
    auto st = *collector.status();
    std::uint64_t spooled = input_counter(st, 0, "spooled");
    EXPECT_EQ(spooled, lines.size()) << st.dump(2);
    std::string spool_bytes = bytes_under(state() / "spool");
    ASSERT_FALSE(spool_bytes.empty());
    for (const auto& s : secrets) {
        EXPECT_EQ(spool_bytes.find(s), std::string::npos) << "'" << s << "' reached the spool";
    }
    for (const auto& f : std::filesystem::recursive_directory_iterator(state())) {
        if (f.is_regular_file() && f.path().filename() != "collector.stderr") {
            std::string b = read_all(f.path());
            for (const auto& s : secrets) {
                EXPECT_EQ(b.find(s), std::string::npos) << s << " in " << f.path();
            }
        }
    }

    // Then the server comes back: the wire carries the same, and nothing more.
    server_->start();
    ASSERT_TRUE(server_->wait_for_count(spooled, 20s)) << collector.stderr_text();
    std::string wire;
    bool attacker_seen = false;
    for (const auto& r : server_->events()) {
        EXPECT_EQ(r.collector_id, "member-17-gw");
        core::encode_event(r.event, wire);
        std::string json = core::to_ecs_json(r.event);
        wire += json;
        attacker_seen |= r.event.src_ip.to_string() == "203.0.113.50";
        // Internal addresses leave pseudonymised, never in clear.
        EXPECT_EQ(json.find("\"10.0.0."), std::string::npos) << json;
    }
    EXPECT_TRUE(attacker_seen) << "the metadata itself must arrive";
    for (const auto& s : secrets) {
        EXPECT_EQ(wire.find(s), std::string::npos) << "'" << s << "' reached the wire";
    }
    EXPECT_EQ(collector.stop(), 0) << collector.stderr_text();
}

// Sends numbered lines as fast as the collector takes them until told to stop or the
// connection dies. Returns how many were written into the socket.
std::uint32_t send_numbered(std::uint16_t port, std::uint32_t count, std::atomic<bool>& stop,
                            std::uint32_t first = 0) {
    TcpSender tcp(port);
    std::string chunk;
    std::uint32_t sent = 0;
    for (std::uint32_t i = 0; i < count && !stop; ++i) {
        chunk += numbered_iptables_line(first + i);
        chunk += '\n';
        if ((i + 1) % 100 == 0 || i + 1 == count) {
            if (!tcp.send(chunk)) {
                break;
            }
            sent = i + 1;
            chunk.clear();
        }
    }
    return sent;
}

// The same over RELP: one message per send, each acknowledged by the collector.
std::uint32_t send_numbered_relp(std::uint16_t port, std::uint32_t count, std::atomic<bool>& stop) {
    RelpSender relp(port);
    if (!relp.connected()) {
        return 0;
    }
    std::uint32_t sent = 0;
    for (std::uint32_t i = 0; i < count && !stop; ++i) {
        if (!relp.send(numbered_iptables_line(i))) {
            break;
        }
        sent = i + 1;
    }
    return sent;
}

// Every seq 0..n-1 exactly once, in order.
void expect_exact_prefix(const std::vector<ReceivedEvent>& events, std::uint64_t n) {
    ASSERT_EQ(events.size(), n);
    std::vector<std::uint32_t> seqs;
    for (const auto& r : events) {
        auto s = seq_of(r.event.src_ip.to_string());
        ASSERT_TRUE(s) << r.event.src_ip.to_string();
        seqs.push_back(*s);
    }
    for (std::uint64_t i = 0; i < n; ++i) {
        ASSERT_EQ(seqs[i], i) << "event " << i << " out of order, missing or duplicated";
    }
}

class CollectorKillNine : public CollectorE2E, public ::testing::WithParamInterface<const char*> {};

TEST_P(CollectorKillNine, MidStreamLosesNothingAcceptedAndDuplicatesNothing) {
    const std::string kind = GetParam();
    enroll();
    auto config = write_config(ConfigOptions().with_inputs(
        "  - {name: in, type: " + kind + ", address: 127.0.0.1, port: 0}\n"));
    constexpr std::uint32_t kEvents = 100'000;
    std::uint64_t accepted = 0;
    std::uint32_t sent = 0;
    {
        CollectorProcess collector(config, socket());
        collector.start();
        ASSERT_TRUE(collector.wait_ready(10s)) << collector.stderr_text();
        std::atomic<bool> stop{false};
        std::uint16_t port = collector.input_port(0);
        std::thread sender([&] {
            sent = kind == "relp" ? send_numbered_relp(port, kEvents, stop)
                                  : send_numbered(port, kEvents, stop);
        });
        // Kill it mid-stream, while the uplink is also mid-flight.
        bool midway = collector.wait_status(
            [](const nlohmann::json& s) { return input_counter(s, 0, "spooled") >= 30'000; }, 60s);
        collector.kill9();
        stop = true;
        sender.join();
        ASSERT_TRUE(midway) << collector.stderr_text();
        EXPECT_LT(sent, kEvents) << "the kill must land mid-stream";
    }
    // Restart: it recovers the spool and drains what it had accepted.
    CollectorProcess collector(config, socket());
    collector.start();
    ASSERT_TRUE(collector.wait_ready(10s)) << collector.stderr_text();
    auto st = *collector.status();
    accepted = st["spool"]["next_seq"].get<std::uint64_t>() - 1;
    EXPECT_GE(accepted, 30'000u);
    EXPECT_EQ(st["spool"]["corrupt_skipped"], 0);
    ASSERT_TRUE(server_->wait_for_count(accepted, 60s)) << server_->count() << " of " << accepted;
    ASSERT_TRUE(collector.wait_status(
        [&](const nlohmann::json& s) { return s["spool"]["acked_seq"] == accepted; }, 20s));
    std::this_thread::sleep_for(300ms);  // anything extra would arrive now
    expect_exact_prefix(server_->events(), accepted);
    if (kind == "relp") {
        // Everything the RELP sender saw acknowledged was accepted (its window of 128
        // messages may hold more that were accepted but not yet acknowledged).
        EXPECT_LE(sent, accepted + 128);
    }
    EXPECT_EQ(collector.stop(), 0);
}

INSTANTIATE_TEST_SUITE_P(Streams, CollectorKillNine, ::testing::Values("tcp", "relp"));

TEST_F(CollectorE2E, ServerDownEventsSpoolAndDrainInOrder) {
    enroll();
    server_->stop();
    auto config = write_config({});
    CollectorProcess collector(config, socket());
    collector.start();
    ASSERT_TRUE(collector.wait_ready(10s)) << collector.stderr_text();
    // The server stays away for two minutes while events keep arriving in waves, and the
    // uplink keeps failing and backing off.
    constexpr std::uint32_t kWave = 10'000;
    constexpr std::uint32_t kEvents = 3 * kWave;
    std::atomic<bool> stop{false};
    for (std::uint32_t wave = 0; wave < 3; ++wave) {
        ASSERT_EQ(send_numbered(collector.input_port(0), kWave, stop, wave * kWave), kWave);
        ASSERT_TRUE(collector.wait_status(
            [&](const nlohmann::json& s) {
                return input_counter(s, 0, "spooled") == (wave + 1) * kWave;
            },
            30s));
        std::this_thread::sleep_for(40s);
    }
    auto st = *collector.status();
    EXPECT_EQ(st["spool"]["pending"], kEvents);
    EXPECT_GT(st["uplink"]["errors"].get<std::uint64_t>(), 3u) << st.dump(2);
    EXPECT_TRUE(st["uplink"].contains("last_error"));
    EXPECT_EQ(server_->count(), 0u);

    server_->start();
    ASSERT_TRUE(server_->wait_for_count(kEvents, 60s)) << server_->count();
    expect_exact_prefix(server_->events(), kEvents);
    ASSERT_TRUE(collector.wait_status(
        [&](const nlohmann::json& s) { return s["spool"]["pending"] == 0; }, 10s));
    EXPECT_EQ(collector.stop(), 0);
}

TEST_F(CollectorE2E, MalformedAndOversizeFramesAreCountedAndSkipped) {
    enroll();
    auto config = write_config(ConfigOptions().with_inputs(
        "  - {name: tcp, type: tcp, address: 127.0.0.1, port: 0, max_frame: 4KiB}\n"));
    CollectorProcess collector(config, socket());
    collector.start();
    ASSERT_TRUE(collector.wait_ready(10s)) << collector.stderr_text();
    {
        TcpSender tcp(collector.input_port(0));
        std::string l0 = numbered_iptables_line(0);
        std::string l1 = numbered_iptables_line(1);
        std::string l2 = numbered_iptables_line(2);
        std::string l3 = numbered_iptables_line(3);
        std::string stream = l0 + "\n";
        stream += std::to_string(l1.size()) + " " + l1;   // octet counted
        stream += std::string(10'000, 'A') + "\n";          // oversize
        stream += "garbage that is not a log line\n";      // unparseable
        stream += l2 + "\n";
        stream += std::string("\x01\x02\xff\xfe binary\n", 14);
        stream += std::to_string(l3.size()) + " " + l3;
        ASSERT_TRUE(tcp.send(stream));
    }
    ASSERT_TRUE(server_->wait_for_count(4, 20s)) << collector.stderr_text();
    std::set<std::uint32_t> got;
    for (const auto& r : server_->events()) {
        got.insert(*seq_of(r.event.src_ip.to_string()));
    }
    EXPECT_EQ(got, (std::set<std::uint32_t>{0, 1, 2, 3}));
    auto st = *collector.status();
    EXPECT_EQ(input_counter(st, 0, "oversize"), 1u) << st.dump(2);
    EXPECT_GE(input_counter(st, 0, "parse_errors"), 2u) << st.dump(2);
    EXPECT_EQ(input_counter(st, 0, "spooled"), 4u);
    EXPECT_EQ(collector.stop(), 0);
}

// A tmpfs of 1 MiB in a private mount namespace is the spool's whole disk.
class CollectorDiskFull : public CollectorE2E, public ::testing::WithParamInterface<const char*> {};

TEST_P(CollectorDiskFull, ClearErrorCountedDropsNoCorruptSegment) {
    std::string policy = GetParam();
    auto spool_dir = dir_.path() / "small-disk";
    std::filesystem::create_directories(spool_dir);
    if (::geteuid() != 0 ||
        run_command({"unshare", "--mount", "--propagation", "private", "mount", "-t", "tmpfs",
                     "-o", "size=1m", "tmpfs", spool_dir.string()}) != 0) {
        GTEST_SKIP() << "needs root, unshare(1) and mount(8) to mount a small tmpfs in a private "
                        "mount namespace";
    }
    auto config = write_config(ConfigOptions()
                                   .with_spool("{dir: " + spool_dir.string() +
                                               ", segment_bytes: 128KiB, max_bytes: 64MiB, "
                                               "when_full: " + policy + "}")
                                   .without_uplink());
    // Two runs of the collector on the same small disk: the second one proves what the
    // first left behind is intact.
    std::string script =
        "mount -t tmpfs -o size=1m tmpfs \"$1\" && shift && \"$@\"; exec \"$@\"";
    CollectorProcess collector(config, socket(),
                               {"unshare", "--mount", "--propagation", "private", "sh", "-c",
                                script, "sh", spool_dir.string()});
    collector.start();
    ASSERT_TRUE(collector.wait_ready(10s)) << collector.stderr_text();
    std::atomic<bool> stop{false};
    constexpr std::uint32_t kEvents = 40'000;  // about 2.5 MB of spool records
    ASSERT_EQ(send_numbered(collector.input_port(0), kEvents, stop), kEvents);
    ASSERT_TRUE(collector.wait_status(
        [&](const nlohmann::json& s) { return input_counter(s, 0, "lines") == kEvents; }, 30s));
    auto st = *collector.status();
    const auto& sp = st["spool"];
    ASSERT_TRUE(sp.contains("last_error")) << st.dump(2);
    EXPECT_NE(sp["last_error"].get<std::string>().find("disk full"), std::string::npos)
        << st.dump(2);
    if (policy == "drop_oldest") {
        EXPECT_GT(sp["dropped_oldest"].get<std::uint64_t>(), 0u);
        EXPECT_EQ(input_counter(st, 0, "spool_errors"), 0u);
    } else {
        EXPECT_GT(sp["refused"].get<std::uint64_t>(), 0u);
        EXPECT_EQ(input_counter(st, 0, "spool_errors"), sp["refused"].get<std::uint64_t>());
        EXPECT_EQ(sp["dropped_oldest"], 0);
    }
    std::uint64_t kept = sp["pending"];
    EXPECT_GT(kept, 1000u);
    // Every event is accounted for: kept, dropped or refused.
    EXPECT_EQ(kept + sp["dropped_oldest"].get<std::uint64_t>() + sp["refused"].get<std::uint64_t>(),
              kEvents);
    // Stop the first run (the shell then starts the second on the same disk).
    pid_t first = st["pid"].get<pid_t>();
    ::kill(first, SIGTERM);
    ASSERT_TRUE(collector.wait_status(
        [&](const nlohmann::json& s) { return s["pid"].get<pid_t>() != first; }, 20s))
        << collector.stderr_text();
    auto again = *collector.status();
    EXPECT_EQ(again["spool"]["pending"], kept) << again.dump(2);
    EXPECT_EQ(again["spool"]["torn_bytes_cut"], 0);
    EXPECT_EQ(again["spool"]["corrupt_skipped"], 0);
    EXPECT_EQ(collector.stop(), 0);
}

INSTANTIATE_TEST_SUITE_P(Policies, CollectorDiskFull,
                         ::testing::Values("drop_oldest", "refuse_new"));

// Sockets the process holds, from /proc: "tcp 127.0.0.1:5514 LISTEN" and the like.
std::set<std::string> listening_sockets(pid_t pid) {
    std::set<std::string> inodes;
    for (const auto& fd : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
        std::error_code ec;
        auto target = std::filesystem::read_symlink(fd.path(), ec).string();
        if (target.starts_with("socket:[")) {
            inodes.insert(target.substr(8, target.size() - 9));
        }
    }
    std::set<std::string> out;
    for (const char* proto : {"tcp", "tcp6", "udp", "udp6"}) {
        std::ifstream in(std::string("/proc/") + std::to_string(pid) + "/net/" + proto);
        std::string line;
        std::getline(in, line);
        while (std::getline(in, line)) {
            std::istringstream f(line);
            std::string sl, local, remote, state, queues, tr, retr, uid, timeout, inode;
            f >> sl >> local >> remote >> state >> queues >> tr >> retr >> uid >> timeout >> inode;
            bool tcp = proto[0] == 't';
            if (!inodes.contains(inode) || (tcp && state != "0A")) {
                continue;
            }
            unsigned port = std::stoul(local.substr(local.find(':') + 1), nullptr, 16);
            // Loopback listeners are marked: 0100007F is 127.0.0.1 in /proc's byte order.
            bool loopback = local.starts_with("0100007F:");
            out.insert(std::string(proto) + ":" + std::to_string(port) +
                       (loopback ? "" : " (not loopback)"));
        }
    }
    std::ifstream unix_in("/proc/" + std::to_string(pid) + "/net/unix");
    std::string line;
    std::getline(unix_in, line);
    while (std::getline(unix_in, line)) {
        std::istringstream f(line);
        std::string num, refcount, protocol, flags, type, st, inode, path;
        f >> num >> refcount >> protocol >> flags >> type >> st >> inode >> path;
        if (inodes.contains(inode) && flags == "00010000") {  // __SO_ACCEPTCON: listening
            out.insert("unix:" + path);
        }
    }
    return out;
}

TEST_F(CollectorE2E, ListensOnlyOnItsInputsAndTheLocalStatusSocket) {
    enroll();
    auto config = write_config(
        ConfigOptions().with_inputs("  - {name: tcp, type: tcp, address: 127.0.0.1, port: 0}\n"
                                    "  - {name: udp, type: udp, address: 127.0.0.1, port: 0}\n"
                                    "  - {name: relp, type: relp, address: 127.0.0.1, port: 0}\n"));
    CollectorProcess collector(config, socket());
    collector.start();
    ASSERT_TRUE(collector.wait_ready(10s)) << collector.stderr_text();
    std::set<std::string> expected = {
        "tcp:" + std::to_string(collector.input_port(0)),
        "udp:" + std::to_string(collector.input_port(1)),
        "tcp:" + std::to_string(collector.input_port(2)),
        "unix:" + socket().string(),
    };
    std::set<std::string> actual = listening_sockets(collector.pid());
    // librelp has no connection cap or idle timeout, so the RELP input terminates senders
    // itself and relays each connection to librelp on a loopback port: one more listener,
    // on 127.0.0.1, per RELP input (docs/design/collector-inputs.md).
    std::vector<std::string> extra;
    for (const auto& a : actual) {
        if (!expected.contains(a)) extra.push_back(a);
    }
    ASSERT_EQ(extra.size(), 1u) << ::testing::PrintToString(actual);
    EXPECT_TRUE(extra[0].starts_with("tcp:") && extra[0].find("not loopback") == std::string::npos)
        << extra[0];
    for (const auto& e : expected) {
        EXPECT_TRUE(actual.contains(e)) << e << " is not listening";
    }
    // The status socket is for the collector's user and root only.
    EXPECT_EQ(std::filesystem::status(socket()).permissions() &
                  (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
              std::filesystem::perms::none);
    EXPECT_EQ(collector.stop(), 0);
}

TEST_F(CollectorE2E, StatusCommandAndPrometheusMetrics) {
    enroll();
    auto config = write_config({});
    // Metrics on loopback, any free port.
    {
        std::string text = read_all(config);
        auto at = text.find("status: {socket: ");
        ASSERT_NE(at, std::string::npos);
        text.insert(text.find('}', at), ", metrics: \"127.0.0.1:0\"");
        std::ofstream(config) << text;
    }
    CollectorProcess collector(config, socket());
    collector.start();
    ASSERT_TRUE(collector.wait_ready(10s)) << collector.stderr_text();
    {
        TcpSender tcp(collector.input_port(0));
        ASSERT_TRUE(tcp.send(numbered_iptables_line(1) + "\nnot a log line\n"));
    }
    ASSERT_TRUE(server_->wait_for_count(1, 20s));
    ASSERT_TRUE(collector.wait_status(
        [](const nlohmann::json& s) { return s["uplink"]["acked_seq"] == 1; }, 10s));

    std::string out;
    ASSERT_EQ(run_command({collector_binary().string(), "status", "--socket", socket().string()},
                          &out),
              0)
        << out;
    for (const char* want : {"collector e2e", "tcp (tcp 127.0.0.1:", "lines 2, events 1, spooled 1",
                             "parse errors 1", "1 events in 1 batches", "last upload 20"}) {
        EXPECT_NE(out.find(want), std::string::npos) << want << " not in:\n" << out;
    }

    auto st = *collector.status();
    std::string metrics_at = st["metrics"];
    auto port = static_cast<std::uint16_t>(std::stoul(metrics_at.substr(metrics_at.rfind(':') + 1)));
    std::string response;
    {
        TcpSender http(port);
        ASSERT_TRUE(http.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        response = http.receive_all();
    }
    EXPECT_NE(response.find("HTTP/1.1 200"), std::string::npos) << response;
    EXPECT_NE(response.find("cyberalarm_collector_input_events_total{input=\"tcp\"} 1"),
              std::string::npos)
        << response;
    EXPECT_NE(response.find("cyberalarm_collector_uplink_events_total 1"), std::string::npos)
        << response;
    {
        TcpSender http(port);
        ASSERT_TRUE(http.send("GET /secret HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        EXPECT_NE(http.receive_all().find("404"), std::string::npos);
    }
    EXPECT_EQ(collector.stop(), 0);
}

TEST_F(CollectorE2E, DropsRootAfterBinding) {
    struct passwd* nobody = ::getpwnam("nobody");
    if (::geteuid() != 0 || nobody == nullptr) {
        GTEST_SKIP() << "needs root and a 'nobody' user to show the drop";
    }
    enroll();
    // The state directory must be reachable by the user it drops to.
    std::filesystem::permissions(dir_.path(), std::filesystem::perms::owner_all |
                                                  std::filesystem::perms::others_exec);
    auto config = write_config(ConfigOptions().as_user("nobody"));
    std::filesystem::permissions(config, std::filesystem::perms::owner_read |
                                             std::filesystem::perms::others_read);
    CollectorProcess collector(config, socket());
    collector.start();
    ASSERT_TRUE(collector.wait_ready(10s)) << collector.stderr_text();
    std::ifstream proc("/proc/" + std::to_string(collector.pid()) + "/status");
    std::string line;
    std::string uid_line;
    std::string gid_line;
    std::string groups_line;
    while (std::getline(proc, line)) {
        if (line.starts_with("Uid:")) uid_line = line;
        if (line.starts_with("Gid:")) gid_line = line;
        if (line.starts_with("Groups:")) groups_line = line;
    }
    std::string u = std::to_string(nobody->pw_uid);
    std::string g = std::to_string(nobody->pw_gid);
    EXPECT_EQ(uid_line, "Uid:\t" + u + "\t" + u + "\t" + u + "\t" + u);
    EXPECT_EQ(gid_line, "Gid:\t" + g + "\t" + g + "\t" + g + "\t" + g);
    EXPECT_EQ(groups_line.find_first_of("0123456789"), std::string::npos) << groups_line;
    // And it still works as that user: receives, spools, uploads.
    {
        TcpSender tcp(collector.input_port(0));
        ASSERT_TRUE(tcp.send(numbered_iptables_line(7) + "\n"));
    }
    ASSERT_TRUE(server_->wait_for_count(1, 20s)) << collector.stderr_text();
    EXPECT_EQ(collector.stop(), 0);
}

TEST(CollectorBinary, CannotStartAShell) {
    // The binary imports no way to run another program: no system, popen, exec*, spawn.
    std::string out;
    ASSERT_EQ(run_command({"nm", "-D", "--undefined-only", collector_binary().string()}, &out), 0)
        << out;
    for (const char* fn : {" system", " popen", " execv", " execl", " execle", " execvp",
                           " execvpe", " execve", " fexecve", " posix_spawn", " posix_spawnp"}) {
        std::istringstream lines(out);
        std::string l;
        while (std::getline(lines, l)) {
            auto at = l.find(fn);
            if (at == std::string::npos) continue;
            std::string name = l.substr(at + 1);
            name = name.substr(0, name.find('@'));
            EXPECT_NE(name, std::string(fn).substr(1)) << l;
        }
    }
}

TEST(CollectorBinary, ConfigErrorsNameFileLineAndKey) {
    TempDir dir;
    auto path = dir.path() / "bad.yaml";
    std::ofstream(path) << "member:\n  internal_networks: [10.0.0.0/8]\ninputs:\n"
                           "  - type: udp\n    port: 514\n    colour: blue\n";
    std::string out;
    EXPECT_NE(run_command({collector_binary().string(), "check-config", "--config", path.string()},
                          &out),
              0);
    EXPECT_NE(out.find("bad.yaml:6"), std::string::npos) << out;
    EXPECT_NE(out.find("inputs[0].colour: unknown key"), std::string::npos) << out;
}

}  // namespace
}  // namespace cyberalarm::test
