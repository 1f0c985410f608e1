// Discovery and identification against listeners this test opens on loopback.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

#include "loopback_server.h"
#include "scan/discovery.h"
#include "scan/internal/net.h"
#include "scan/internal/pacer.h"
#include "scan/identify.h"
#include "scan/report.h"
#include "scan/scanner.h"
#include "support/test_support.h"

namespace cyberalarm::scan {
namespace {

using loopback::around;
using loopback::LoopbackServer;

core::IpAddress loopback() { return *core::IpAddress::parse("127.0.0.1"); }

TEST(Discovery, FindsOpenLoopbackPortsAndNotClosedOnes) {
    LoopbackServer a([](int) {});
    LoopbackServer b([](int) {});
    std::vector<std::uint16_t> ports = around(a.port(), 20);
    ports.push_back(b.port());
    std::vector<core::IpAddress> addrs = {loopback()};
    DiscoveryStats stats;
    auto open = scan_tcp(addrs, ports, DiscoveryOptions{}, &stats);
    ASSERT_TRUE(open.has_value());
    std::vector<std::uint16_t> found;
    for (const OpenPort& p : *open) {
        found.push_back(p.port);
    }
    EXPECT_NE(std::find(found.begin(), found.end(), a.port()), found.end());
    EXPECT_NE(std::find(found.begin(), found.end(), b.port()), found.end());
    EXPECT_EQ(stats.attempts, ports.size());
    EXPECT_EQ(stats.open + stats.closed + stats.filtered + stats.errors, stats.attempts);
    EXPECT_GE(stats.closed, 1u);
}

TEST(Discovery, IPv6Loopback) {
    std::uint16_t port = 0;
    int fd = loopback::listen_v6_loopback(port);
    if (fd < 0) {
        GTEST_SKIP() << "no ::1 on this machine";
    }
    std::vector<core::IpAddress> addrs = {*core::IpAddress::parse("::1")};
    auto open = scan_tcp(addrs, around(port, 3), DiscoveryOptions{});
    ::close(fd);
    ASSERT_TRUE(open.has_value());
    ASSERT_EQ(open->size(), 1u);
    EXPECT_EQ((*open)[0].port, port);
    EXPECT_TRUE((*open)[0].address.is_v6());
}

// Regression: a full connect sweep of 127.0.0.1 called a few ephemeral ports open, where
// connect() had picked the destination port as its own source (a self-connect).
TEST(Discovery, SelfConnectIsNotAService) {
    std::uint16_t port = 0;
    int fd = loopback::bind_loopback(SOCK_STREAM, port);
    ASSERT_GE(fd, 0);
    sockaddr_storage sa;
    socklen_t len = internal::to_sockaddr(loopback(), port, sa);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&sa), len), 0);  // simultaneous open
    EXPECT_TRUE(internal::is_self_connect(fd));
    ::close(fd);
    LoopbackServer server([](int) {});
    auto other = internal::connect_tcp(loopback(), server.port(), std::chrono::milliseconds(500));
    ASSERT_TRUE(other.has_value());
    EXPECT_FALSE(internal::is_self_connect(other->get()));
}

TEST(Discovery, RateCapPacesConnections) {
    std::vector<core::IpAddress> addrs = {loopback()};
    DiscoveryOptions o;
    o.per_target_rate = 200;  // 100 ports at 200/s: at least ~0.4 s after the first burst
    std::vector<std::uint16_t> ports;
    for (int p = 1; p <= 100; ++p) {
        ports.push_back(static_cast<std::uint16_t>(p));
    }
    auto start = std::chrono::steady_clock::now();
    auto open = scan_tcp(addrs, ports, o);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_TRUE(open.has_value());
    EXPECT_GT(secs, 0.35);
    o.per_target_rate = 0;
    start = std::chrono::steady_clock::now();
    (void)scan_tcp(addrs, ports, o);
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), secs);
}

TEST(Pacer, PacesEachAddressOnItsOwn) {
    internal::Pacer pacer(20);  // 20 connections/s per address, bursts of 2
    auto a = loopback();
    auto b = *core::IpAddress::parse("127.0.0.2");
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 2; ++i) {
        pacer.wait(b);  // b's burst does not slow a
    }
    auto b_done = std::chrono::steady_clock::now();
    for (int i = 0; i < 8; ++i) {
        pacer.wait(a);  // 2 at once, 6 more at 50 ms each
    }
    double a_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - b_done).count();
    EXPECT_LT(std::chrono::duration<double>(b_done - start).count(), 0.05);
    EXPECT_GT(a_secs, 0.25);
    EXPECT_LT(a_secs, 2.0);
}

TEST(Pacer, ConnectTcpWaitsOnTheThreadsPacer) {
    LoopbackServer server([](int) {});
    internal::Pacer pacer(10);
    std::vector<double> took;
    {
        internal::PacerScope scope(&pacer);
        EXPECT_EQ(internal::current_pacer(), &pacer);
        auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < 4; ++i) {
            EXPECT_TRUE(internal::connect_tcp(loopback(), server.port(), std::chrono::milliseconds(500)).has_value());
        }
        took.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    EXPECT_EQ(internal::current_pacer(), nullptr);
    EXPECT_GT(took[0], 0.25);  // 1 at once, 3 more at 100 ms each (burst of 1 at 10/s)
}

TEST(Discovery, CancelStopsPromptly) {
    std::vector<core::IpAddress> addrs = {loopback()};
    std::vector<std::uint16_t> ports;
    for (int p = 1; p <= 65535; ++p) {
        ports.push_back(static_cast<std::uint16_t>(p));
    }
    std::atomic<bool> cancel{true};
    DiscoveryStats stats;
    auto open = scan_tcp(addrs, ports, DiscoveryOptions{}, &stats, &cancel);
    ASSERT_TRUE(open.has_value());
    EXPECT_EQ(stats.attempts, 0u);
}

ProbeSet load_probes() {
    auto p = ProbeSet::load(test::source_dir() / "data/scan/probes.yaml");
    EXPECT_TRUE(p.has_value());
    return p ? std::move(*p) : ProbeSet();
}

TEST(Identify, GreetingServiceOnAnyPort) {
    LoopbackServer ssh([](int fd) {
        LoopbackServer::send_text(fd, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
        (void)LoopbackServer::read_until(fd, "\n");
    });
    ProbeSet probes = load_probes();
    ServiceInfo s = identify(probes, loopback(), ssh.port(), "", IdentifyOptions{});
    EXPECT_EQ(s.id.service, "ssh");
    EXPECT_EQ(s.id.version, "9.2p1");
    EXPECT_EQ(s.id.distro.revision, "2+deb12u3");
    EXPECT_FALSE(s.tls);
}

TEST(Identify, SilentHttpServerAnswersTheHttpProbe) {
    LoopbackServer http([](int fd) {
        std::string req = LoopbackServer::read_until(fd, "\r\n\r\n");
        if (req.rfind("GET / HTTP/1.1", 0) == 0 && req.find("User-Agent: test-agent") != std::string::npos) {
            LoopbackServer::send_text(fd, "HTTP/1.1 200 OK\r\nServer: lighttpd/1.4.69\r\nContent-Length: 2\r\n\r\nhi");
        }
    });
    ProbeSet probes = load_probes();
    IdentifyOptions o;
    o.user_agent = "test-agent";
    ServiceInfo s = identify(probes, loopback(), http.port(), "", o);
    EXPECT_EQ(s.id.service, "http");
    EXPECT_EQ(s.id.product, "lighttpd");
    EXPECT_EQ(s.id.version, "1.4.69");
}

TEST(Identify, UnknownServiceKeepsWhatItSaid) {
    LoopbackServer odd([](int fd) { LoopbackServer::send_text(fd, "WELCOME TO THE MACHINE\r\n"); });
    ProbeSet probes = load_probes();
    ServiceInfo s = identify(probes, loopback(), odd.port(), "", IdentifyOptions{});
    EXPECT_EQ(s.id.service, "unknown");
    EXPECT_EQ(s.answer, "WELCOME TO THE MACHINE\r\n");
}

TEST(ScannerRun, RefusesToStartOutsideTheWindow) {
    std::time_t now = std::time(nullptr);
    int minute = static_cast<int>((now % 86400) / 60);
    int start = (minute + 60) % 1440;
    int end = (minute + 120) % 1440;
    char text[16];
    std::snprintf(text, sizeof text, "%02d:%02d-%02d:%02d", start / 60, start % 60, end / 60, end % 60);
    ScanOptions o;
    o.window = *ScanWindow::parse(text);
    ProbeSet probes = load_probes();
    Scanner scanner(probes, nullptr);
    std::vector<ResolvedTarget> targets = {{"127.0.0.1", "", {loopback()}}};
    auto r = scanner.run(targets, o);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), core::ErrorCode::kUnavailable);
    EXPECT_NE(r.error().message().find("scan window"), std::string::npos);
}

TEST(ScannerRun, ReportsServicesAndRendersJson) {
    LoopbackServer ftp([](int fd) {
        LoopbackServer::send_text(fd, "220 (vsFTPd 3.0.3)\r\n");
        std::string cmd = LoopbackServer::read_until(fd, "\r\n");
        if (cmd.rfind("USER anonymous", 0) == 0) {
            LoopbackServer::send_text(fd, "331 Please specify the password.\r\n");
            if (LoopbackServer::read_until(fd, "\r\n").rfind("PASS ", 0) == 0) {
                LoopbackServer::send_text(fd, "230 Login successful.\r\n");
            }
        } else if (cmd.rfind("FEAT", 0) == 0) {
            LoopbackServer::send_text(fd, "211-Features:\r\n PASV\r\n211 End\r\n");
        }
        (void)LoopbackServer::read_until(fd, "QUIT");
    });
    ScanOptions o;
    o.tcp_ports = {ftp.port()};
    ProbeSet probes = load_probes();
    Scanner scanner(probes, nullptr);
    std::vector<ResolvedTarget> targets = {{"127.0.0.1", "", {loopback()}}};
    auto r = scanner.run(targets, o);
    ASSERT_TRUE(r.has_value()) << r.error().to_string();
    ASSERT_EQ(r->services.size(), 1u);
    EXPECT_EQ(r->services[0].info.id.product, "vsftpd");
    auto has = [&](const char* check) {
        return std::any_of(r->findings.begin(), r->findings.end(),
                           [&](const Finding& f) { return f.check == check; });
    };
    EXPECT_TRUE(has("exposure.ftp_anonymous"));
    EXPECT_TRUE(has("exposure.ftp_cleartext"));
    EXPECT_TRUE(has("service"));
    std::string json = report_json(*r);
    EXPECT_NE(json.find("\"exposure.ftp_anonymous\""), std::string::npos);
    EXPECT_NE(json.find("\"vsftpd\""), std::string::npos);
    EXPECT_NE(report_text(*r).find("anonymous FTP login allowed"), std::string::npos);
    store::ScanResult sr = to_scan_result(r->findings.front(), 7, 3, 42);
    EXPECT_EQ(sr.member, 7);
    EXPECT_EQ(sr.scan_id, 3);
    EXPECT_EQ(sr.port, ftp.port());
}

}  // namespace
}  // namespace cyberalarm::scan
