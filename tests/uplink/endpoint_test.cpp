#include "uplink/endpoint.h"

#include <gtest/gtest.h>

namespace cyberalarm::uplink {
namespace {

TEST(Endpoint, ParsesHostsAndPorts) {
    auto a = parse_server_url("https://ingest.example.org");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->host, "ingest.example.org");
    EXPECT_EQ(a->port, 443);
    EXPECT_FALSE(a->host_is_ip);
    EXPECT_EQ(a->authority(), "ingest.example.org:443");

    auto b = parse_server_url("https://127.0.0.1:8443/");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->host, "127.0.0.1");
    EXPECT_EQ(b->port, 8443);
    EXPECT_TRUE(b->host_is_ip);

    auto c = parse_server_url("https://[::1]:9000");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->host, "::1");
    EXPECT_TRUE(c->host_is_ip);
    EXPECT_EQ(c->authority(), "[::1]:9000");
}

TEST(Endpoint, RefusesWhatTheProtocolDoesNotUse) {
    for (const char* bad :
         {"", "http://example.org", "example.org", "https://", "https://:443",
          "https://user@example.org", "https://example.org/v1/batches", "https://example.org?x",
          "https://example.org:0", "https://example.org:65536",
          "https://example.org:", "https://example.org:12ab", "https://[::1", "https://[nothex]:1",
          "https://[::1]x", "https://exa mple.org", "https://example.org#f"}) {
        auto r = parse_server_url(bad);
        EXPECT_FALSE(r) << bad;
        if (!r) {
            EXPECT_EQ(r.error().code(), core::ErrorCode::kInvalidArgument);
        }
    }
}

}  // namespace
}  // namespace cyberalarm::uplink
