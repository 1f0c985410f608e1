// UDP probe encoders and decoders on answers built here byte by byte, and scan_udp against
// a loopback responder that speaks memcached's UDP framing.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "child_process.h"
#include "loopback_server.h"
#include "scan/internal/net.h"
#include "scan/udp.h"

namespace cyberalarm::scan {
namespace {

std::vector<std::uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

std::optional<UdpDecoded> decode(UdpService s, const std::string& b, std::uint16_t id) {
    auto v = bytes(b);
    return decode_udp_answer(s, v, id);
}

TEST(UdpEncode, DnsAsksVersionBindInChaos) {
    std::string q = encode_udp_probe(UdpService::kDns, 0xbeef);
    ASSERT_EQ(q.size(), 12u + 14u + 4u);
    EXPECT_EQ(static_cast<unsigned char>(q[0]), 0xbe);
    EXPECT_EQ(static_cast<unsigned char>(q[1]), 0xef);
    EXPECT_EQ(q.substr(12, 14), std::string("\x07version\x04" "bind\x00", 14));
    EXPECT_EQ(q.substr(26), std::string("\x00\x10\x00\x03", 4));  // TXT, CHAOS
}

TEST(UdpEncode, NtpIsAClientRequest) {
    std::string q = encode_udp_probe(UdpService::kNtp, 0x1234);
    ASSERT_EQ(q.size(), 48u);
    EXPECT_EQ(q[0] & 0x07, 3);         // mode client
    EXPECT_EQ((q[0] >> 3) & 0x07, 4);  // version 4
}

TEST(UdpEncode, SnmpGetOfSysDescrWithCommunityPublic) {
    std::string q = encode_udp_probe(UdpService::kSnmp, 0x0102);
    ASSERT_EQ(q.size(), 41u);
    EXPECT_EQ(static_cast<unsigned char>(q[0]), 0x30);
    EXPECT_EQ(static_cast<unsigned char>(q[1]), 39);
    EXPECT_NE(q.find("public"), std::string::npos);
    EXPECT_NE(q.find(std::string("\x2b\x06\x01\x02\x01\x01\x01\x00", 8)), std::string::npos);
}

TEST(UdpEncode, MemcachedFrameAndSsdpSearch) {
    std::string m = encode_udp_probe(UdpService::kMemcached, 0x0a0b);
    EXPECT_EQ(m, std::string("\x0a\x0b\x00\x00\x00\x01\x00\x00version\r\n", 17));
    EXPECT_EQ(encode_udp_probe(UdpService::kSsdp, 0).rfind("M-SEARCH * HTTP/1.1\r\n", 0), 0u);
}

TEST(UdpDecode, DnsVersionBindAnswer) {
    std::string q = encode_udp_probe(UdpService::kDns, 0x4242);
    std::string a = q;
    a[2] = static_cast<char>(0x84);  // QR, AA
    a[7] = 1;                        // ANCOUNT 1
    a += std::string("\xc0\x0c\x00\x10\x00\x03\x00\x00\x00\x00\x00\x07\x06" "9.18.1", 19);
    auto d = decode(UdpService::kDns, a, 0x4242);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->version, "9.18.1");
    EXPECT_NE(d->summary.find("9.18.1"), std::string::npos);
    EXPECT_FALSE(decode(UdpService::kDns, a, 0x4243).has_value());  // someone else's id
    EXPECT_FALSE(decode(UdpService::kDns, q, 0x4242).has_value());   // a query, not an answer
    EXPECT_TRUE(decode(UdpService::kDns, a.substr(0, 20), 0x4242).has_value());  // cut: header only
}

TEST(UdpDecode, MdnsPtrWithCompression) {
    std::string q = encode_udp_probe(UdpService::kMdns, 0);
    std::string a = q;
    a[2] = static_cast<char>(0x84);
    a[7] = 1;
    // PTR → "_http._tcp" + pointer to "local" at offset 12 + 1+9+1+7+1+4 = 35
    std::string rdata = std::string("\x05_http\x04_tcp\xc0\x23", 13);
    a += std::string("\xc0\x0c\x00\x0c\x00\x01\x00\x00\x00\x0a\x00", 11) + static_cast<char>(rdata.size()) + rdata;
    auto d = decode(UdpService::kMdns, a, 0);
    ASSERT_TRUE(d.has_value());
    EXPECT_NE(d->summary.find("_http._tcp.local"), std::string::npos) << d->summary;
}

TEST(UdpDecode, NtpReplyEchoesOurTimestamp) {
    std::string q = encode_udp_probe(UdpService::kNtp, 0x5151);
    std::string a(48, '\0');
    a[0] = 0x24;  // v4 server
    a[1] = 2;     // stratum
    a.replace(24, 8, q.substr(40, 8));
    auto d = decode(UdpService::kNtp, a, 0x5151);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->summary, "NTP v4 server, stratum 2");
    EXPECT_FALSE(decode(UdpService::kNtp, a, 0x5152).has_value());
    EXPECT_FALSE(decode(UdpService::kNtp, a.substr(0, 47), 0x5151).has_value());
}

TEST(UdpDecode, SnmpGetResponse) {
    std::string descr = "Linux router 5.10";
    std::string vb = std::string("\x06\x08\x2b\x06\x01\x02\x01\x01\x01\x00\x04", 11) + static_cast<char>(descr.size()) + descr;
    std::string vbs = std::string("\x30") + static_cast<char>(vb.size()) + vb;
    std::string list = std::string("\x30") + static_cast<char>(vbs.size()) + vbs;
    std::string pdu_body = std::string("\x02\x02\x01\x02\x02\x01\x00\x02\x01\x00", 10) + list;
    std::string pdu = std::string("\xa2") + static_cast<char>(pdu_body.size()) + pdu_body;
    std::string body = std::string("\x02\x01\x01\x04\x06public", 11) + pdu;
    std::string msg = std::string("\x30") + static_cast<char>(body.size()) + body;
    auto d = decode(UdpService::kSnmp, msg, 0x0102);
    ASSERT_TRUE(d.has_value());
    EXPECT_NE(d->summary.find("Linux router 5.10"), std::string::npos);
    EXPECT_FALSE(decode(UdpService::kSnmp, msg, 0x0103).has_value());
    EXPECT_FALSE(decode(UdpService::kSnmp, msg.substr(0, msg.size() - 3), 0x0102).has_value());
}

TEST(UdpDecode, SsdpAndMemcached) {
    auto s = decode(UdpService::kSsdp,
                    "HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\nSERVER: Linux/5.4 UPnP/1.0 miniupnpd/2.2\r\n\r\n", 0);
    ASSERT_TRUE(s.has_value());
    EXPECT_NE(s->summary.find("miniupnpd"), std::string::npos);
    auto m = decode(UdpService::kMemcached, std::string("\x00\x07\x00\x00\x00\x01\x00\x00VERSION 1.6.18\r\n", 24), 7);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->version, "1.6.18");
    EXPECT_FALSE(decode(UdpService::kMemcached, "VERSION 1.6.18\r\n", 7).has_value());
}

// A loopback UDP responder with memcached's framing: echoes the request id.
class MemcachedUdp {
public:
    MemcachedUdp() {
        fd_ = loopback::bind_loopback(SOCK_DGRAM, port_);
        thread_ = std::thread([this] {
            char buf[512];
            for (int i = 0; i < 300 && !stop_; ++i) {
                pollfd p{fd_, POLLIN, 0};
                if (::poll(&p, 1, 10) <= 0) {
                    continue;
                }
                sockaddr_in from{};
                socklen_t fl = sizeof from;
                ssize_t n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
                if (n >= 8 && std::string(buf + 8, static_cast<std::size_t>(n) - 8) == "version\r\n") {
                    std::string r = std::string(buf, 2) + std::string("\x00\x00\x00\x01\x00\x00", 6) + "VERSION 1.6.18\r\n";
                    ::sendto(fd_, r.data(), r.size(), 0, reinterpret_cast<sockaddr*>(&from), fl);
                }
            }
        });
    }
    ~MemcachedUdp() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }
    MemcachedUdp(const MemcachedUdp&) = delete;
    MemcachedUdp& operator=(const MemcachedUdp&) = delete;
    std::uint16_t port() const { return port_; }

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

TEST(UdpScan, FindsALoopbackResponderAndReportsAmplification) {
    MemcachedUdp responder;
    UdpOptions o;
    o.timeout = std::chrono::milliseconds(500);
    o.services = {UdpService::kMemcached, UdpService::kNtp};
    o.ports = {{UdpService::kMemcached, responder.port()}, {UdpService::kNtp, 9}};  // 9: nothing
    std::vector<core::IpAddress> addrs = {*core::IpAddress::parse("127.0.0.1")};
    auto answers = scan_udp(addrs, o);
    ASSERT_EQ(answers.size(), 1u);
    EXPECT_EQ(answers[0].service, UdpService::kMemcached);
    EXPECT_EQ(answers[0].decoded.version, "1.6.18");
    auto f = udp_findings(answers[0], "127.0.0.1");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].check, "exposure.udp.memcached");
    EXPECT_EQ(f[0].transport, core::Transport::kUdp);
    EXPECT_NE(f[0].evidence.find("17 bytes sent"), std::string::npos) << f[0].evidence;
}

// The real daemon: Debian's memcached (installed by the lab) with its UDP port on, on
// loopback ports of this test's own.
TEST(UdpScan, RealMemcachedOverUdp) {
    const char* bin = "/usr/bin/memcached";
    if (::access(bin, X_OK) != 0) {
        GTEST_SKIP() << "memcached is not installed (lab-services.sh install puts it there)";
    }
    std::uint16_t udp_port = 0;
    std::uint16_t tcp_port = 0;
    ::close(loopback::bind_loopback(SOCK_DGRAM, udp_port));
    ::close(loopback::bind_loopback(SOCK_STREAM, tcp_port));
    std::vector<std::string> args = {bin, "-l", "127.0.0.1", "-p", std::to_string(tcp_port),
                                     "-U", std::to_string(udp_port), "-m", "8"};
    if (::geteuid() == 0) {
        args.insert(args.end(), {"-u", "nobody"});
    }
    loopback::Child daemon(args);
    // Ready once its TCP port accepts (it binds UDP first).
    bool up = false;
    for (int i = 0; i < 100 && !up; ++i) {
        up = internal::connect_tcp(*core::IpAddress::parse("127.0.0.1"), tcp_port,
                                   std::chrono::milliseconds(100))
                 .has_value();
        if (!up) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    ASSERT_TRUE(up) << "memcached did not start";
    UdpOptions o;
    o.timeout = std::chrono::milliseconds(500);
    o.services = {UdpService::kMemcached};
    o.ports = {{UdpService::kMemcached, udp_port}};
    std::vector<core::IpAddress> addrs = {*core::IpAddress::parse("127.0.0.1")};
    auto answers = scan_udp(addrs, o);
    ASSERT_EQ(answers.size(), 1u) << "memcached did not answer on UDP port " << udp_port;
    EXPECT_FALSE(answers[0].decoded.version.empty());
    EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(answers[0].decoded.version[0])));
}

}  // namespace
}  // namespace cyberalarm::scan
