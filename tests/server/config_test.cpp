// The server's configuration: errors that name the file, line and key; values, sizes and
// defaults; secret files that must be private.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "server/config.h"
#include "support/test_support.h"

namespace cyberalarm::test {
namespace {

TEST(ServerConfigTest, ErrorsNameKeyAndLine) {
    auto bad_port = server::parse_config("ingest:\n  port: 70000\n", "s.yaml", "");
    ASSERT_FALSE(bad_port);
    EXPECT_EQ(bad_port.error().message(), "s.yaml:2: ingest.port: '70000' is not a number in 0..65535");
    EXPECT_EQ(bad_port.error().line(), 2u);
    auto unknown = server::parse_config("api:\n  address: 127.0.0.1\n  prot: 1\n", "s.yaml", "");
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().message(), "s.yaml:3: api.prot: unknown key");
    auto section = server::parse_config("nonsense:\n  a: 1\n", "s.yaml", "");
    ASSERT_FALSE(section);
    EXPECT_NE(section.error().message().find("s.yaml:1: nonsense: unknown key"), std::string::npos);
    auto broken = server::parse_config("ingest: [1, 2\n", "s.yaml", "");
    ASSERT_FALSE(broken);
    EXPECT_NE(broken.error().message().find("s.yaml:"), std::string::npos);
}

// The documented example is a configuration the server accepts, key for key.
TEST(ServerConfigTest, DeployExampleParses) {
    const auto file = source_dir() / "deploy" / "server.example.yaml";
    auto parsed = server::parse_config(read_file(file), file.string(), file.parent_path(),
                                       /*read_secrets=*/false);
    ASSERT_TRUE(parsed) << parsed.error().to_string();
    EXPECT_EQ(parsed->scanner_every_hours, 168);
    EXPECT_EQ(parsed->scanner_window, "01:00-05:00");
    EXPECT_TRUE(parsed->scanner_enabled);
}

TEST(ServerConfigTest, ValuesAndDefaults) {
    auto empty = server::parse_config("", "s.yaml", "/etc/ca");
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->ingest.port, 8443);
    EXPECT_EQ(empty->api.port, 8444);
    EXPECT_EQ(empty->ingest.address, "127.0.0.1");
    auto c = server::parse_config(
        "server:\n  data_dir: data\n  names: [ingest.example.org]\n"
        "ingest:\n  max_body_bytes: 4MiB\n  max_in_flight: 8\n"
        "detection:\n  notify_min_severity: critical\n  enabled: false\n",
        "s.yaml", "/etc/ca");
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_EQ(c->data_dir, std::filesystem::path("/etc/ca/data"));
    EXPECT_EQ(c->server_names, std::vector<std::string>{"ingest.example.org"});
    EXPECT_EQ(c->max_batch_body_bytes, 4u << 20);
    EXPECT_EQ(c->max_in_flight, 8u);
    EXPECT_EQ(c->notify_min_severity, core::Severity::kCritical);
    EXPECT_FALSE(c->detection_enabled);
    EXPECT_FALSE(server::parse_config("ingest:\n  max_body_bytes: 4XB\n", "s.yaml", ""));
    EXPECT_FALSE(server::parse_config("detection:\n  enabled: maybe\n", "s.yaml", ""));
    auto level = server::parse_config("server:\n  log_level: loud\n", "s.yaml", "");
    ASSERT_FALSE(level);
    EXPECT_EQ(level.error().message(),
              "s.yaml:2: server.log_level: 'loud' is not trace, debug, info, warn or error");
}

TEST(ServerConfigTest, SecretFilesMustBePrivate) {
    TempDir dir;
    const auto secret = dir.path() / "hook.secret";
    std::ofstream(secret) << "0123456789abcdef0123\n";
    ::chmod(secret.c_str(), 0644);
    const std::string text =
        "notify:\n  webhook:\n    url: https://hooks.example.org/x\n    secret_file: hook.secret\n";
    auto open = server::parse_config(text, "s.yaml", dir.path());
    ASSERT_FALSE(open);
    EXPECT_NE(open.error().message().find("group or others"), std::string::npos);
    ::chmod(secret.c_str(), 0600);
    auto ok = server::parse_config(text, "s.yaml", dir.path());
    ASSERT_TRUE(ok) << ok.error().to_string();
    EXPECT_EQ(ok->webhook_secret, "0123456789abcdef0123");
}

}  // namespace
}  // namespace cyberalarm::test
