// make_input(): a configuration an input cannot work with is refused with an error that
// names the input, before anything is opened.
#include <gtest/gtest.h>

#include "collector/inputs.h"

namespace cyberalarm::collector {
namespace {

InputConfig base(InputKind kind) {
    InputConfig c;
    c.name = "fw";
    c.kind = kind;
    return c;
}

void expect_refused(const InputConfig& c, std::string_view words) {
    auto r = make_input(c);
    ASSERT_FALSE(r) << "accepted a bad " << to_string(c.kind) << " input";
    EXPECT_EQ(r.error().code(), core::ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message().find("input 'fw'"), std::string::npos) << r.error().message();
    EXPECT_NE(r.error().message().find(words), std::string::npos) << r.error().message();
}

TEST(InputConfigTest, RefusesWhatCannotWork) {
    auto c = base(InputKind::kTcp);
    c.address = "localhost";  // names are not resolved
    expect_refused(c, "not an IP address");

    c = base(InputKind::kUdp);
    c.max_frame = 10;
    expect_refused(c, "max_frame");

    c = base(InputKind::kTcp);
    c.max_connections = 0;
    expect_refused(c, "max_connections");

    c = base(InputKind::kTcp);
    c.idle_timeout = std::chrono::milliseconds(0);
    expect_refused(c, "timeouts");

    c = base(InputKind::kTls);
    c.tls_cert = "/x.pem";
    expect_refused(c, "certificate and a key");

    c = base(InputKind::kTls);
    c.tls_cert = "/x.pem";
    c.tls_key = "/x.key";
    c.tls_require_client_cert = true;
    expect_refused(c, "CA file");

    c = base(InputKind::kFile);
    expect_refused(c, "path");

    c = base(InputKind::kStdin);
    c.max_frame = 1u << 30;
    expect_refused(c, "max_frame");
}

TEST(InputConfigTest, BuildsEveryKind) {
    for (InputKind kind : {InputKind::kUdp, InputKind::kTcp, InputKind::kRelp, InputKind::kFile,
                           InputKind::kStdin}) {
        auto c = base(kind);
        c.path = "/var/log/x.log";
        auto r = make_input(c);
        ASSERT_TRUE(r) << r.error().to_string();
        EXPECT_EQ((*r)->config().kind, kind);
        EXPECT_EQ((*r)->bound_port(), 0u);  // nothing opened yet
    }
}

TEST(InputConfigTest, KindNames) {
    EXPECT_EQ(to_string(InputKind::kUdp), "udp");
    EXPECT_EQ(to_string(InputKind::kRelp), "relp");
    EXPECT_EQ(to_string(InputKind::kStdin), "stdin");
}

}  // namespace
}  // namespace cyberalarm::collector
