#include <gtest/gtest.h>

#include "core/time.h"
#include "parse/syslog.h"

namespace cyberalarm::parse {
namespace {

const std::int64_t kRef = *core::civil_to_ns({2024, 3, 15, 0, 0, 0, 0});

TEST(Syslog, Rfc3164WithHostAndTag) {
    auto m = parse_syslog("<161>Oct 10 07:25:12 Hostname kernel: [wan-lan-default-D]IN=eth0", kRef);
    EXPECT_EQ(m.kind, SyslogKind::kRfc3164);
    EXPECT_EQ(m.pri, 161);
    EXPECT_EQ(m.hostname, "Hostname");
    EXPECT_EQ(m.app_name, "kernel");
    EXPECT_EQ(m.msg, "[wan-lan-default-D]IN=eth0");
    EXPECT_EQ(core::format_iso8601(m.time_ns), "2023-10-10T07:25:12.000Z");
    EXPECT_FALSE(m.has_year);
}

TEST(Syslog, SpacePaddedDayAndNoHost) {
    auto m = parse_syslog("Jan  8 03:37:09 DENY: IN=eth0 OUT=", kRef);
    EXPECT_EQ(m.hostname, "");
    EXPECT_EQ(m.app_name, "DENY");
    EXPECT_EQ(m.msg, "IN=eth0 OUT=");
    EXPECT_EQ(core::format_iso8601(m.time_ns), "2024-01-08T03:37:09.000Z");
}

TEST(Syslog, CiscoYearAndColonAfterHost) {
    auto m = parse_syslog("<166>Mar 29 2021 10:24:41 fw01 : %ASA-6-302013: Built inbound", kRef);
    EXPECT_EQ(m.hostname, "fw01");
    EXPECT_TRUE(m.has_year);
    EXPECT_EQ(m.content, "%ASA-6-302013: Built inbound");
    EXPECT_EQ(core::format_iso8601(m.time_ns), "2021-03-29T10:24:41.000Z");
}

TEST(Syslog, IsoStampWithZone) {
    auto m = parse_syslog("<6>2021-03-12T14:10:18+01:00 Hostname kernel: x", kRef);
    EXPECT_TRUE(m.has_zone);
    EXPECT_EQ(core::format_iso8601(m.time_ns), "2021-03-12T13:10:18.000Z");
    EXPECT_EQ(m.hostname, "Hostname");
    EXPECT_EQ(m.msg, "x");
}

TEST(Syslog, Rfc5424WithStructuredData) {
    auto m = parse_syslog(
        "<14>1 2020-05-15T11:53:42.123Z srx1 RT_FLOW - RT_FLOW_SESSION_DENY "
        "[junos@2636.1.1.1.2.40 source-address=\"10.0.0.1\" x=\"a]b\"] message text",
        kRef);
    EXPECT_EQ(m.kind, SyslogKind::kRfc5424);
    EXPECT_EQ(m.hostname, "srx1");
    EXPECT_EQ(m.app_name, "RT_FLOW");
    EXPECT_EQ(m.procid, "");
    EXPECT_EQ(m.msgid, "RT_FLOW_SESSION_DENY");
    EXPECT_EQ(m.structured_data,
              "[junos@2636.1.1.1.2.40 source-address=\"10.0.0.1\" x=\"a]b\"]");
    EXPECT_EQ(m.msg, "message text");
    EXPECT_EQ(core::format_iso8601(m.time_ns), "2020-05-15T11:53:42.123Z");
}

TEST(Syslog, NoHeaderKeepsWholeLine) {
    auto m = parse_syslog("date=2020-01-01 time=10:00:00 devname=fg1", kRef);
    EXPECT_EQ(m.kind, SyslogKind::kNone);
    EXPECT_EQ(m.msg, "date=2020-01-01 time=10:00:00 devname=fg1");
    auto cef = parse_syslog("CEF:0|Vendor|Product|1|100|name|5|src=1.2.3.4", kRef);
    EXPECT_EQ(cef.msg, "CEF:0|Vendor|Product|1|100|name|5|src=1.2.3.4");
}

TEST(Syslog, GarbageNeverCrashes) {
    for (const char* s : {"", "<", "<999>", "<12>1", "<12>1 ", "Jan", "Jan 1", "Jan 99 99:99:99 x",
                          "<1>Feb 30 10:00:00 h t: m", "[", "a:", ":", "x[1:"}) {
        auto m = parse_syslog(s, kRef);
        EXPECT_EQ(m.raw, s);
    }
}

}  // namespace
}  // namespace cyberalarm::parse
