// The probe file loads, rejects malformed files with a named place, and its patterns
// extract service, product, version and distribution revision from recorded answers
// (tests/scan/fixtures/banners, written for these tests).
#include <gtest/gtest.h>

#include "scan/probes.h"
#include "support/test_support.h"

namespace cyberalarm::scan {
namespace {

const ProbeSet& probes() {
    static const ProbeSet set = [] {
        auto p = ProbeSet::load(test::source_dir() / "data/scan/probes.yaml");
        if (!p) {
            ADD_FAILURE() << p.error().to_string();
            return ProbeSet();
        }
        return std::move(*p);
    }();
    return set;
}

std::optional<Identity> identify_bytes(const std::string& probe_name, const std::string& bytes) {
    for (const Probe& p : probes().probes()) {
        if (p.name == probe_name) {
            return ProbeSet::match(p, bytes);
        }
    }
    ADD_FAILURE() << "no probe " << probe_name;
    return std::nullopt;
}

struct Case {
    const char* fixture;
    const char* probe;
    const char* service;
    const char* product;
    const char* version;
    const char* revision;  // distribution package revision, "" none
};

class BannerTest : public ::testing::TestWithParam<Case> {};

TEST_P(BannerTest, ExtractsServiceProductVersion) {
    const Case& c = GetParam();
    std::string bytes = test::read_file(test::source_dir() / "tests/scan/fixtures/banners" /
                                        (std::string(c.fixture) + ".bin"));
    auto id = identify_bytes(c.probe, bytes);
    ASSERT_TRUE(id.has_value()) << c.fixture << " matched nothing";
    EXPECT_EQ(id->service, c.service) << c.fixture;
    EXPECT_EQ(id->product, c.product) << c.fixture;
    EXPECT_EQ(id->version, c.version) << c.fixture;
    EXPECT_EQ(id->distro.revision, c.revision) << c.fixture;
}

INSTANTIATE_TEST_SUITE_P(
    Recorded, BannerTest,
    ::testing::Values(
        Case{"ssh-openssh-debian", "greeting", "ssh", "OpenSSH", "9.2p1", "2+deb12u3"},
        Case{"ssh-openssh-ubuntu", "greeting", "ssh", "OpenSSH", "8.9p1", "3ubuntu0.10"},
        Case{"ssh-dropbear", "greeting", "ssh", "Dropbear", "2022.83", ""},
        Case{"ftp-vsftpd", "greeting", "ftp", "vsftpd", "3.0.3", ""},
        Case{"ftp-proftpd", "greeting", "ftp", "ProFTPD", "1.3.8", ""},
        Case{"smtp-postfix", "greeting", "smtp", "Postfix", "", ""},
        Case{"smtp-exim", "greeting", "smtp", "Exim", "4.96", ""},
        Case{"imap-dovecot", "greeting", "imap", "Dovecot", "", ""},
        Case{"pop3-dovecot", "greeting", "pop3", "Dovecot", "", ""},
        Case{"mysql-mariadb", "greeting", "mysql", "MariaDB", "10.11.6", "0+deb12u1"},
        Case{"mysql-oracle", "greeting", "mysql", "MySQL", "8.0.36", "0ubuntu0.22.04.1"},
        Case{"telnet", "greeting", "telnet", "", "", ""},
        Case{"vnc", "greeting", "vnc", "", "", ""},
        Case{"http-nginx", "http-get", "http", "nginx", "1.22.1", ""},
        Case{"http-apache", "http-get", "http", "Apache httpd", "2.4.62", ""},
        Case{"http-bare", "http-get", "http", "", "", ""},
        Case{"elasticsearch", "http-get", "elasticsearch", "Elasticsearch", "8.11.1", ""},
        Case{"docker", "docker-version", "docker", "Docker Engine", "24.0.7", ""},
        Case{"redis-info", "redis-info", "redis", "Redis", "7.0.15", ""},
        Case{"redis-noauth", "redis-info", "redis", "Redis", "", ""},
        Case{"memcached", "memcached-version", "memcached", "memcached", "1.6.18", ""},
        Case{"postgresql-sasl", "postgresql-startup", "postgresql", "PostgreSQL", "", ""},
        Case{"postgresql-error", "postgresql-startup", "postgresql", "PostgreSQL", "", ""},
        Case{"mongodb", "mongodb-buildinfo", "mongodb", "MongoDB", "6.0.4", ""},
        Case{"rdp", "rdp-negotiate", "rdp", "RDP", "", ""},
        Case{"smb2", "smb-negotiate", "smb", "", "", ""}));

TEST(ProbeFile, LoadsWithEveryProbeTheIssueNames) {
    ASSERT_GT(probes().probes().size(), 8u);
    EXPECT_NE(probes().greeting(), nullptr);
    EXPECT_EQ(probes().settings().banner_wait_ms, 1200);
    // Probes listing a port come first for it.
    auto order = probes().ordered_for(6379);
    ASSERT_FALSE(order.empty());
    EXPECT_EQ(order.front()->name, "redis-info");
    EXPECT_EQ(probes().ordered_for(11211).front()->name, "memcached-version");
}

TEST(ProbeFile, UnknownBytesMatchNothing) {
    EXPECT_FALSE(identify_bytes("greeting", "hello there\r\n").has_value());
    EXPECT_FALSE(identify_bytes("greeting", "").has_value());
    EXPECT_FALSE(identify_bytes("memcached-version", "ERROR\r\n").has_value());
}

TEST(ProbeFile, RejectsMalformedFilesNamingThePlace) {
    auto bad_format = ProbeSet::parse("format: something-else\nversion: 1\nprobes: []\n");
    ASSERT_FALSE(bad_format.has_value());
    EXPECT_EQ(bad_format.error().code(), core::ErrorCode::kUnsupported);

    auto bad_regex = ProbeSet::parse(
        "format: cyberalarm-probes\nversion: 1\nprobes:\n  - name: x\n    send: \"a\"\n"
        "    matches:\n      - service: s\n        pattern: '(unclosed'\n");
    ASSERT_FALSE(bad_regex.has_value());
    EXPECT_NE(bad_regex.error().field().find("probes[0] (x).matches[0]"), std::string::npos)
        << bad_regex.error().to_string();

    auto bad_group = ProbeSet::parse(
        "format: cyberalarm-probes\nversion: 1\nprobes:\n  - name: x\n    send: \"a\"\n"
        "    matches:\n      - service: s\n        pattern: 'a(b)'\n        version: '$2'\n");
    ASSERT_FALSE(bad_group.has_value());

    auto bad_hex = ProbeSet::parse(
        "format: cyberalarm-probes\nversion: 1\nprobes:\n  - name: x\n    send_hex: \"0g\"\n"
        "    matches:\n      - service: s\n        pattern: 'a'\n");
    ASSERT_FALSE(bad_hex.has_value());

    auto dup = ProbeSet::parse(
        "format: cyberalarm-probes\nversion: 1\nprobes:\n"
        "  - {name: x, send: a, matches: [{service: s, pattern: a}]}\n"
        "  - {name: x, send: b, matches: [{service: s, pattern: b}]}\n");
    ASSERT_FALSE(dup.has_value());
    EXPECT_FALSE(ProbeSet::parse("{{{{").has_value());
}

TEST(Printable, EscapesControlBytesAndCaps) {
    EXPECT_EQ(printable(std::string("a\r\n\x01z", 5)), "a\\r\\n\\x01z");
    EXPECT_EQ(printable(std::string(300, 'x'), 10), std::string(10, 'x') + "…");
}

}  // namespace
}  // namespace cyberalarm::scan
