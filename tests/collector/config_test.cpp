#include "collector/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/test_support.h"

namespace cyberalarm::collector {
namespace {

constexpr std::string_view kMinimal = R"(
collector:
  state_dir: state
member:
  internal_networks: [10.0.0.0/8, "2001:db8:10::/48"]
inputs:
  - type: udp
    port: 5514
)";

core::Result<CollectorConfig> parse(std::string_view text) {
    return parse_config(text, "c.yaml", "/etc/ca");
}

std::string error_of(std::string_view text) {
    auto c = parse(text);
    EXPECT_FALSE(c) << "accepted:\n" << text;
    return c ? std::string() : c.error().to_string();
}

TEST(CollectorConfig, MinimalGetsDefaults) {
    auto c = parse(kMinimal);
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_EQ(c->state_dir, "/etc/ca/state");
    ASSERT_EQ(c->inputs.size(), 1u);
    EXPECT_EQ(c->inputs[0].name, "input1");
    EXPECT_EQ(c->inputs[0].kind, InputKind::kUdp);
    EXPECT_EQ(c->inputs[0].address, "127.0.0.1");
    EXPECT_EQ(c->inputs[0].port, 5514);
    EXPECT_EQ(c->sources[0].format, nullptr);
    EXPECT_TRUE(c->sources[0].tz.is_utc());
    EXPECT_EQ(c->spool_dir, "/etc/ca/state/spool");
    EXPECT_EQ(c->status.socket, "/etc/ca/state/status.sock");
    EXPECT_TRUE(c->uplink.server.empty());
    EXPECT_TRUE(c->member.pseudonymise);
    c->member.internal.seal();
    EXPECT_TRUE(c->member.internal.contains(*core::IpAddress::parse("10.1.2.3")));
    EXPECT_TRUE(c->member.internal.contains(*core::IpAddress::parse("2001:db8:10::5")));
    EXPECT_FALSE(c->member.internal.contains(*core::IpAddress::parse("192.0.2.1")));
}

TEST(CollectorConfig, TheDocumentedExampleIsValid) {
    auto c = load_config(test::source_dir() / "deploy" / "collector.example.yaml");
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_EQ(c->inputs.size(), 5u);
    EXPECT_EQ(c->inputs[0].udp_receive_buffer, 8u << 20);
    EXPECT_EQ(c->inputs[1].idle_timeout, std::chrono::seconds(600));
    EXPECT_EQ(c->inputs[3].kind, InputKind::kTls);
    EXPECT_TRUE(c->inputs[3].tls_require_client_cert);
    EXPECT_EQ(c->inputs[4].kind, InputKind::kFile);
    ASSERT_NE(c->sources[4].format, nullptr);
    EXPECT_EQ(c->sources[4].format->name, "iptables");
    EXPECT_EQ(c->spool.max_bytes, 1ull << 30);
    EXPECT_EQ(c->spool.when_full, spool::FullPolicy::kDropOldest);
    EXPECT_EQ(c->uplink.server, "https://ingest.cyberalarm.example:8443");
    EXPECT_EQ(c->status.metrics_port, 9464);
    EXPECT_EQ(c->user, "cyberalarm");
}

TEST(CollectorConfig, ErrorsNameFileLineAndKey) {
    std::string e = error_of(R"(member:
  internal_networks: [10.0.0.0/8]
inputs:
  - type: udp
    port: 70000
)");
    EXPECT_NE(e.find("c.yaml:5"), std::string::npos) << e;
    EXPECT_NE(e.find("inputs[0].port"), std::string::npos) << e;
    EXPECT_NE(e.find("70000"), std::string::npos) << e;

    e = error_of(R"(member:
  internal_networks: [10.0.0.0/8]
inputs:
  - type: udp
    port: 514
    fromat: iptables
)");
    EXPECT_NE(e.find("c.yaml:6"), std::string::npos) << e;
    EXPECT_NE(e.find("fromat: unknown key"), std::string::npos) << e;

    e = error_of(R"(member:
  internal_networks: [10.0.0.0/8, 10.0.0.300/8]
inputs: [{type: udp, port: 514}]
)");
    EXPECT_NE(e.find("c.yaml:2"), std::string::npos) << e;
    EXPECT_NE(e.find("10.0.0.300/8"), std::string::npos) << e;
}

TEST(CollectorConfig, RefusesWhatWouldBeUnsafeOrMeaningless) {
    // Metrics only on loopback.
    std::string e = error_of(std::string(kMinimal) + "status:\n  metrics: 0.0.0.0:9464\n");
    EXPECT_NE(e.find("loopback"), std::string::npos) << e;
    // The uplink is mutual TLS only.
    e = error_of(std::string(kMinimal) + "uplink:\n  server: http://ingest.example:80\n");
    EXPECT_NE(e.find("https://"), std::string::npos) << e;
    // No internal networks: nothing could be dropped or pseudonymised.
    e = error_of("member: {}\ninputs: [{type: udp, port: 514}]\n");
    EXPECT_NE(e.find("internal"), std::string::npos) << e;
    // A tls input needs its certificate.
    e = error_of(R"(member: {internal_networks: [10.0.0.0/8]}
inputs: [{type: tls, port: 6514}]
)");
    EXPECT_NE(e.find("tls: is required"), std::string::npos) << e;
    // Client certificates need a CA to check them against.
    e = error_of(R"(member: {internal_networks: [10.0.0.0/8]}
inputs:
  - type: tls
    port: 6514
    tls: {cert: c.pem, key: k.pem, require_client_cert: true}
)");
    EXPECT_NE(e.find("ca: is required"), std::string::npos) << e;
    e = error_of(R"(member: {internal_networks: [10.0.0.0/8]}
inputs: [{type: file}]
)");
    EXPECT_NE(e.find("path: is required"), std::string::npos) << e;
    e = error_of(R"(member: {internal_networks: [10.0.0.0/8]}
inputs: [{type: udp, port: 514, format: nosuchformat}]
)");
    EXPECT_NE(e.find("unknown format 'nosuchformat'"), std::string::npos) << e;
    e = error_of(R"(member: {internal_networks: [10.0.0.0/8]}
inputs: [{type: udp, port: 514, timezone: Mars/Olympus}]
)");
    EXPECT_NE(e.find("timezone"), std::string::npos) << e;
    e = error_of(R"(member: {internal_networks: [10.0.0.0/8]}
inputs: [{name: a, type: udp, port: 514}, {name: a, type: tcp, port: 514}]
)");
    EXPECT_NE(e.find("two inputs are named 'a'"), std::string::npos) << e;
    e = error_of(std::string(kMinimal) + "spool: {max_bytes: 10MiB, segment_bytes: 8MiB}\n");
    EXPECT_NE(e.find("half of max_bytes"), std::string::npos) << e;
    e = error_of(R"(member: {internal_networks: [10.0.0.0/8]}
inputs: [{type: tcp, port: 514, udp_receive_buffer: 1MiB}]
)");
    EXPECT_NE(e.find("only udp inputs"), std::string::npos) << e;
    e = error_of(std::string(kMinimal) + "spool: {segment_bytes: 64KiB}\n");
    EXPECT_NE(e.find("must hold the largest event"), std::string::npos) << e;
    e = error_of("member: [\n");
    EXPECT_NE(e.find("c.yaml:"), std::string::npos) << e;
}

TEST(CollectorConfig, NetworksFromAFile) {
    test::TempDir dir;
    {
        std::ofstream(dir.path() / "nets.txt") << "# office\n192.0.2.0/24\n\n2001:db8::/32 # v6\n";
        std::ofstream(dir.path() / "bad.txt") << "192.0.2.0/24\nnot-a-network\n";
    }
    auto c = parse_config(R"(member:
  internal_networks_file: nets.txt
inputs: [{type: udp, port: 514}]
)",
                          "c.yaml", dir.path());
    ASSERT_TRUE(c) << c.error().to_string();
    c->member.internal.seal();
    EXPECT_TRUE(c->member.internal.contains(*core::IpAddress::parse("192.0.2.9")));
    EXPECT_TRUE(c->member.internal.contains(*core::IpAddress::parse("2001:db8::1")));

    auto bad = parse_config(R"(member:
  internal_networks_file: bad.txt
inputs: [{type: udp, port: 514}]
)",
                            "c.yaml", dir.path());
    ASSERT_FALSE(bad);
    std::string e = bad.error().to_string();
    EXPECT_NE(e.find("c.yaml:2"), std::string::npos) << e;
    EXPECT_NE(e.find("line 2"), std::string::npos) << e;
}

TEST(CollectorConfig, AConfigOthersMayChangeIsRefused) {
    test::TempDir dir;
    auto path = dir.path() / "c.yaml";
    std::ofstream(path) << kMinimal;
    std::filesystem::permissions(path, std::filesystem::perms::owner_read |
                                           std::filesystem::perms::owner_write);
    ASSERT_TRUE(load_config(path));
    std::filesystem::permissions(path, std::filesystem::perms::others_write,
                                 std::filesystem::perm_options::add);
    auto c = load_config(path);
    ASSERT_FALSE(c);
    EXPECT_NE(c.error().to_string().find("chmod 600"), std::string::npos) << c.error().to_string();
}

TEST(CollectorConfig, Sizes) {
    EXPECT_EQ(parse_size("1000"), 1000u);
    EXPECT_EQ(parse_size("64KiB"), 64u << 10);
    EXPECT_EQ(parse_size("16 MiB"), 16u << 20);
    EXPECT_EQ(parse_size("1GiB"), 1ull << 30);
    EXPECT_EQ(parse_size("2G"), 2ull << 30);
    EXPECT_FALSE(parse_size("lots"));
    EXPECT_FALSE(parse_size("5 parsecs"));
    EXPECT_FALSE(parse_size("99999999999999999999TiB"));
    EXPECT_FALSE(parse_size("9999999999TiB"));
}

}  // namespace
}  // namespace cyberalarm::collector
