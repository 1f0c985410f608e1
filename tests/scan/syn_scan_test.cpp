// SYN scanning for real, on 127.0.0.1 and ::1, against listeners this test opens: the
// result must equal the connect scan's on the same ports. Needs CAP_NET_RAW (CI runs tests
// as root); skips with a message without it.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "loopback_server.h"
#include "scan/discovery.h"
#include "scan/scanner.h"

namespace cyberalarm::scan {
namespace {

using loopback::around;
using loopback::LoopbackServer;

core::IpAddress ip(const char* s) { return *core::IpAddress::parse(s); }

#define SKIP_WITHOUT_RAW_SOCKETS()                                                        \
    if (!have_raw_socket_capability()) {                                                  \
        GTEST_SKIP() << "no CAP_NET_RAW: SYN scanning cannot run here (run as root or "   \
                        "with setcap cap_net_raw+ep to include it)";                      \
    }

std::vector<std::pair<std::string, std::uint16_t>> found(const std::vector<OpenPort>& open) {
    std::vector<std::pair<std::string, std::uint16_t>> out;
    for (const OpenPort& p : open) {
        out.emplace_back(p.address.to_string(), p.port);
    }
    return out;
}

DiscoveryOptions mode(DiscoveryMode m) {
    DiscoveryOptions o;
    o.mode = m;
    return o;
}

TEST(SynScan, Ipv4EqualsConnectScanAndCompletesNoConnection) {
    SKIP_WITHOUT_RAW_SOCKETS();
    LoopbackServer a([](int) {});
    LoopbackServer b([](int) {});
    std::vector<std::uint16_t> ports = around(a.port(), 25);
    ports.push_back(b.port());
    std::vector<core::IpAddress> addrs = {ip("127.0.0.1")};
    DiscoveryStats syn_stats;
    auto syn = scan_tcp(addrs, ports, mode(DiscoveryMode::kSyn), &syn_stats);
    ASSERT_TRUE(syn.has_value()) << syn.error().message();
    EXPECT_EQ(syn_stats.mode, DiscoveryMode::kSyn);
    EXPECT_EQ(a.accepted() + b.accepted(), 0);  // the kernel reset every SYN-ACK
    DiscoveryStats connect_stats;
    auto connect = scan_tcp(addrs, ports, mode(DiscoveryMode::kConnect), &connect_stats);
    ASSERT_TRUE(connect.has_value());
    EXPECT_EQ(connect_stats.mode, DiscoveryMode::kConnect);
    EXPECT_EQ(found(*syn), found(*connect));
    auto f = found(*syn);
    EXPECT_NE(std::find(f.begin(), f.end(), std::pair<std::string, std::uint16_t>{"127.0.0.1", a.port()}), f.end());
    EXPECT_NE(std::find(f.begin(), f.end(), std::pair<std::string, std::uint16_t>{"127.0.0.1", b.port()}), f.end());
    EXPECT_EQ(syn_stats.attempts, ports.size());  // loopback answers every SYN at once
    EXPECT_EQ(syn_stats.open + syn_stats.closed, ports.size());
    EXPECT_EQ(syn_stats.open, connect_stats.open);
    EXPECT_EQ(syn_stats.closed, connect_stats.closed);
    EXPECT_EQ(syn_stats.filtered, 0u);
    for (const OpenPort& p : *syn) {
        EXPECT_GE(p.rtt_ms, 0);
    }
}

TEST(SynScan, Ipv6EqualsConnectScan) {
    SKIP_WITHOUT_RAW_SOCKETS();
    std::uint16_t port = 0;
    int fd = loopback::listen_v6_loopback(port);
    if (fd < 0) {
        GTEST_SKIP() << "no ::1 on this machine";
    }
    std::vector<core::IpAddress> addrs = {ip("::1")};
    std::vector<std::uint16_t> ports = around(port, 10);
    DiscoveryStats stats;
    auto syn = scan_tcp(addrs, ports, mode(DiscoveryMode::kSyn), &stats);
    auto connect = scan_tcp(addrs, ports, mode(DiscoveryMode::kConnect));
    ::close(fd);
    ASSERT_TRUE(syn.has_value()) << syn.error().message();
    ASSERT_TRUE(connect.has_value());
    EXPECT_EQ(found(*syn), found(*connect));
    ASSERT_FALSE(syn->empty());
    EXPECT_TRUE((*syn)[0].address.is_v6());
    EXPECT_EQ(stats.open + stats.closed, ports.size());
}

TEST(SynScan, BothFamiliesInOneScan) {
    SKIP_WITHOUT_RAW_SOCKETS();
    std::uint16_t port6 = 0;
    int fd6 = loopback::listen_v6_loopback(port6);
    if (fd6 < 0) {
        GTEST_SKIP() << "no ::1 on this machine";
    }
    LoopbackServer v4([](int) {});
    std::vector<core::IpAddress> addrs = {ip("127.0.0.1"), ip("::1")};
    std::vector<std::uint16_t> ports = {v4.port(), port6};
    auto syn = scan_tcp(addrs, ports, mode(DiscoveryMode::kSyn));
    auto connect = scan_tcp(addrs, ports, mode(DiscoveryMode::kConnect));
    ::close(fd6);
    ASSERT_TRUE(syn.has_value()) << syn.error().message();
    ASSERT_TRUE(connect.has_value());
    EXPECT_EQ(found(*syn), found(*connect));
    auto f = found(*syn);
    EXPECT_NE(std::find(f.begin(), f.end(), std::pair<std::string, std::uint16_t>{"127.0.0.1", v4.port()}), f.end());
    EXPECT_NE(std::find(f.begin(), f.end(), std::pair<std::string, std::uint16_t>{"::1", port6}), f.end());
}

TEST(SynScan, RetriesAndRateCapsHold) {
    SKIP_WITHOUT_RAW_SOCKETS();
    std::vector<core::IpAddress> addrs = {ip("127.0.0.1")};
    std::vector<std::uint16_t> ports;
    for (int p = 1; p <= 100; ++p) {
        ports.push_back(static_cast<std::uint16_t>(p));
    }
    DiscoveryOptions o = mode(DiscoveryMode::kSyn);
    o.per_target_rate = 200;  // 100 SYNs at 200/s: at least ~0.4 s after the first burst
    o.per_target_in_flight = 3;
    auto start = std::chrono::steady_clock::now();
    DiscoveryStats stats;
    auto open = scan_tcp(addrs, ports, o, &stats);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_TRUE(open.has_value()) << open.error().message();
    EXPECT_GT(secs, 0.35);
    EXPECT_EQ(stats.open + stats.closed + stats.filtered + stats.errors, ports.size());
}

TEST(SynScan, AutoModeUsesSynAndTheReportSaysSo) {
    SKIP_WITHOUT_RAW_SOCKETS();
    LoopbackServer a([](int) {});
    ProbeSet probes;
    Scanner scanner(probes, nullptr);
    ResolvedTarget t;
    t.name = "127.0.0.1";
    t.addresses = {ip("127.0.0.1")};
    ScanOptions o;
    o.tcp_ports = around(a.port(), 2);
    o.identify = false;
    auto report = scanner.run(std::span(&t, 1), o);
    ASSERT_TRUE(report.has_value()) << report.error().message();
    EXPECT_EQ(report->stats.mode, DiscoveryMode::kSyn);
    EXPECT_NE(std::find(report->notes.begin(), report->notes.end(),
                        "TCP discovery: SYN scan (raw sockets permitted: CAP_NET_RAW)"),
              report->notes.end());
    ASSERT_EQ(report->open_tcp.size(), 1u);
    EXPECT_EQ(report->open_tcp[0].port, a.port());
    o.discovery.mode = DiscoveryMode::kConnect;
    report = scanner.run(std::span(&t, 1), o);
    ASSERT_TRUE(report.has_value());
    EXPECT_EQ(report->stats.mode, DiscoveryMode::kConnect);
    EXPECT_NE(std::find(report->notes.begin(), report->notes.end(), "TCP discovery: connect scan (as asked)"),
              report->notes.end());
}

}  // namespace
}  // namespace cyberalarm::scan
