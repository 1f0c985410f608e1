// The shared CEF/LEEF envelope reader, with the edge cases each vendor format relies on.
#include "parse/cef_reader.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "support/format_test.h"

namespace cyberalarm::parse::cef {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

template <typename Reader>
Pairs read_all(Reader reader) {
    Pairs out;
    std::string_view k;
    std::string_view v;
    while (reader.next(k, v)) {
        out.emplace_back(k, v);
    }
    return out;
}

Pairs ext(std::string_view s) {
    return read_all(ExtReader(s));
}

Pairs leef(std::string_view s, char delim = '\t') {
    return read_all(LeefReader(s, delim));
}

// ---- header ------------------------------------------------------------------------------

TEST(CefReader, LocatesTheMarkerAfterASyslogHeader) {
    std::string_view line = "<134>Mar 31 12:00:00 fw1 CEF:0|Acme|FW|1|1|n|3|src=1.2.3.4";
    HeaderPos h = locate_header(line, kCefMarker);
    ASSERT_TRUE(h.found());
    EXPECT_FALSE(h.bare());
    EXPECT_EQ(h.marker, line.find("CEF:"));
    EXPECT_EQ(line.substr(h.version, 2), "0|");
    EXPECT_EQ(find_cef(line), h.version);
}

TEST(CefReader, SkipsSpacesAfterTheMarker) {
    std::string_view line = "CEF: 0|Vendor|";
    EXPECT_EQ(line.substr(find_cef(line), 2), "0|");
}

TEST(CefReader, BareVersionWhenACollectorStrippedTheMarker) {
    EXPECT_TRUE(locate_header("0|Ubiquiti|UniFi Network|8.0|201|x|3|", kCefMarker).bare());
    EXPECT_EQ(find_cef("  1|Check Point|"), 2u);
    EXPECT_TRUE(locate_header("1.0|WatchGuard|XTM|", kLeefMarker).bare());
    EXPECT_TRUE(locate_header("2.0|Vendor|", kLeefMarker).bare());
    // Not a version: other pipe-separated text is not an envelope.
    EXPECT_FALSE(locate_header("2024|05|01", kCefMarker).found());
    EXPECT_FALSE(locate_header("9|x|", kCefMarker).found());
    EXPECT_FALSE(locate_header("a0|x|", kCefMarker).found());
    EXPECT_FALSE(locate_header("", kCefMarker).found());
    EXPECT_FALSE(locate_header("CEF:", kCefMarker).found());
    EXPECT_FALSE(locate_header("CEF:   ", kCefMarker).found());
}

TEST(CefReader, SplitHeaderKeepsEscapedPipes) {
    std::array<std::string_view, 7> h{};
    std::string_view rest;
    std::string_view s = R"(0|Acme\|Corp|Edge FW|2.1|4001|Deny\\|8|src=1.2.3.4 msg=a|b)";
    ASSERT_EQ(split_header(s, h, rest), 7u);
    EXPECT_EQ(h[1], R"(Acme\|Corp)");
    EXPECT_EQ(h[5], R"(Deny\\)");  // an escaped backslash does not escape the pipe
    EXPECT_EQ(h[6], "8");
    EXPECT_EQ(rest, "src=1.2.3.4 msg=a|b");  // pipes in the extension are the extension's
}

TEST(CefReader, SplitHeaderCountsATruncatedHeader) {
    std::array<std::string_view, 7> h{};
    std::string_view rest;
    EXPECT_EQ(split_header("0|Vendor|Product", h, rest), 2u);
    EXPECT_EQ(rest, "Product");
    EXPECT_EQ(split_header("", h, rest), 0u);
    EXPECT_EQ(split_header("0|a\\", h, rest), 1u);  // a trailing backslash escapes nothing
}

TEST(CefReader, SplitEnvelopeNamesTheFields) {
    std::string_view line = "<189>CEF:0|Fortinet|Fortigate|v7.2|00013|traffic:forward close|3|a=1";
    auto e = split_envelope(line, kCefMarker, 7);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->vendor, "Fortinet");
    EXPECT_EQ(e->product, "Fortigate");
    EXPECT_EQ(e->version, "v7.2");
    EXPECT_EQ(e->event_id, "00013");
    EXPECT_EQ(e->name, "traffic:forward close");
    EXPECT_EQ(e->severity, "3");
    EXPECT_EQ(e->extension, "a=1");
    EXPECT_EQ(line.substr(e->extension_offset), "a=1");

    auto l = split_envelope("1.0|WatchGuard|XTM|12.10|11000005|src=1", kLeefMarker, 5);
    ASSERT_TRUE(l);  // bare LEEF
    EXPECT_EQ(l->vendor, "WatchGuard");
    EXPECT_EQ(l->event_id, "11000005");
    EXPECT_TRUE(l->name.empty());
    EXPECT_EQ(l->extension, "src=1");

    EXPECT_FALSE(split_envelope("CEF:0|Fortinet|Fortigate|v7.2", kCefMarker, 7));
    EXPECT_FALSE(split_envelope("id=firewall time=x", kCefMarker, 7));
}

TEST(CefReader, HasEnvelopeVendorNeedsBothPipes) {
    EXPECT_TRUE(has_envelope_vendor("CEF:0|SonicWall|SonicOS|", "SonicWall"));
    EXPECT_FALSE(has_envelope_vendor("CEF:0|SonicWallX|SonicOS|", "SonicWall"));
    EXPECT_FALSE(has_envelope_vendor("SonicWall|x|", "SonicWall"));
    EXPECT_FALSE(has_envelope_vendor(std::string(170, 'x') + "|SonicWall|", "SonicWall"));
}

// ---- extension ---------------------------------------------------------------------------

TEST(CefReader, ValuesRunUntilTheNextKey) {
    EXPECT_EQ(ext("src=10.0.0.5 msg=Deny by rule 7 dst=192.0.2.1"),
              (Pairs{{"src", "10.0.0.5"}, {"msg", "Deny by rule 7"}, {"dst", "192.0.2.1"}}));
}

TEST(CefReader, EscapesStayInValues) {
    EXPECT_EQ(ext(R"(msg=a\=b c\\ d=1)"), (Pairs{{"msg", R"(a\=b c\\)"}, {"d", "1"}}));
    EXPECT_EQ(ext(R"(msg=x \=y z=2)"), (Pairs{{"msg", R"(x \=y)"}, {"z", "2"}}));
}

TEST(CefReader, UnescapedEqualsInsideAWordIsPartOfTheValue) {
    EXPECT_EQ(ext("request=http://a.example/?q=1&r=2 act=allow"),
              (Pairs{{"request", "http://a.example/?q=1&r=2"}, {"act", "allow"}}));
    EXPECT_EQ(ext("a=b=c d=e"), (Pairs{{"a", "b=c"}, {"d", "e"}}));
    EXPECT_EQ(ext("a==b"), (Pairs{{"a", "=b"}}));
}

TEST(CefReader, KeysMayHoldDotsColonsDashesAndBrackets) {
    EXPECT_EQ(ext("ad.user=bob x:y=1 a-b=2 c[0]=3 c6a2=2001:db8::1"),
              (Pairs{{"ad.user", "bob"},
                     {"x:y", "1"},
                     {"a-b", "2"},
                     {"c[0]", "3"},
                     {"c6a2", "2001:db8::1"}}));
}

TEST(CefReader, EmptyValuesAndWhitespace) {
    EXPECT_EQ(ext("a= b=1  c=2  "), (Pairs{{"a", ""}, {"b", "1"}, {"c", "2"}}));
    EXPECT_EQ(ext("a=1\tb=2\r\nc=3"), (Pairs{{"a", "1"}, {"b", "2"}, {"c", "3"}}));
    EXPECT_EQ(ext("last="), (Pairs{{"last", ""}}));
}

TEST(CefReader, TextBeforeTheFirstKeyIsSkipped) {
    EXPECT_EQ(ext("junk words a=1"), (Pairs{{"a", "1"}}));
    EXPECT_EQ(ext("=x a=1"), (Pairs{{"a", "1"}}));
    EXPECT_EQ(ext("no pairs here"), Pairs{});
    EXPECT_EQ(ext(""), Pairs{});
    EXPECT_EQ(ext("   "), Pairs{});
}

// ---- LEEF --------------------------------------------------------------------------------

TEST(CefReader, LeefTabsAndCustomDelimiters) {
    EXPECT_EQ(leef("src=1.2.3.4\tdst=5.6.7.8\tmsg=a b"),
              (Pairs{{"src", "1.2.3.4"}, {"dst", "5.6.7.8"}, {"msg", "a b"}}));
    EXPECT_EQ(leef("src=10.0.0.1^dst=10.0.0.2^usrName=al ice", '^'),
              (Pairs{{"src", "10.0.0.1"}, {"dst", "10.0.0.2"}, {"usrName", "al ice"}}));
}

TEST(CefReader, LeefSkipsItemsWithoutAKeyAndTrims) {
    EXPECT_EQ(leef("junk\t=x\t k = v \t\ta=1=2"), (Pairs{{"k", "v"}, {"a", "1=2"}}));
}

TEST(CefReader, LeefRsyslogEscapedTabs) {
    EXPECT_EQ(leef("host_name=fbx#011serial=801#011msg=Authentication rejected"),
              (Pairs{{"host_name", "fbx"}, {"serial", "801"}, {"msg", "Authentication rejected"}}));
    EXPECT_EQ(leef("a=1#011b=2\tc=3"), (Pairs{{"a", "1"}, {"b", "2"}, {"c", "3"}}));
}

TEST(CefReader, LeefWithoutItsDelimiterIsReadCefStyle) {
    EXPECT_EQ(leef("src=1.2.3.4 dst=5.6.7.8 msg=two words"),
              (Pairs{{"src", "1.2.3.4"}, {"dst", "5.6.7.8"}, {"msg", "two words"}}));
    EXPECT_EQ(leef("src=1.2.3.4 dst=5.6.7.8", '^'),
              (Pairs{{"src", "1.2.3.4"}, {"dst", "5.6.7.8"}}));
}

TEST(CefReader, LeefDelimiterField) {
    EXPECT_EQ(leef_delimiter(""), '\t');
    EXPECT_EQ(leef_delimiter("^"), '^');
    EXPECT_EQ(leef_delimiter("\\t"), '\t');
    EXPECT_EQ(leef_delimiter("x09"), '\t');
    EXPECT_EQ(leef_delimiter("0x5E"), '^');
    EXPECT_EQ(leef_delimiter("X7c"), '|');
    EXPECT_FALSE(leef_delimiter("0x"));
    EXPECT_FALSE(leef_delimiter("0x123"));
    EXPECT_FALSE(leef_delimiter("zz"));
}

// ---- values ------------------------------------------------------------------------------

TEST(CefReader, AssignUnescaped) {
    std::string out = "old";
    assign_unescaped(R"(a\=b\\c\|d\ne)", out);
    EXPECT_EQ(out, "a=b\\c|d e");
    assign_unescaped("plain", out);
    EXPECT_EQ(out, "plain");
    assign_unescaped("trailing\\", out);
    EXPECT_EQ(out, "trailing\\");
}

TEST(CefReader, Severity) {
    EXPECT_EQ(severity_of("0"), core::Severity::kLow);
    EXPECT_EQ(severity_of("5"), core::Severity::kMedium);
    EXPECT_EQ(severity_of("8"), core::Severity::kHigh);
    EXPECT_EQ(severity_of("10"), core::Severity::kCritical);
    EXPECT_EQ(severity_of("Very-High"), core::Severity::kCritical);
    EXPECT_EQ(severity_of("medium"), core::Severity::kMedium);
    EXPECT_EQ(severity_of(""), core::Severity::kUnknown);
}

TEST(CefReader, ApplyNetwork) {
    core::Event e;
    std::string_view bad;
    EXPECT_TRUE(apply_network("src", "10.0.0.1", e, bad));
    EXPECT_TRUE(apply_network("c6a3", "2001:db8::1", e, bad));
    EXPECT_TRUE(apply_network("spt", "51000", e, bad));
    EXPECT_TRUE(apply_network("proto", "6", e, bad));
    EXPECT_TRUE(apply_network("proto", "bogus", e, bad));  // does not undo the known one
    EXPECT_TRUE(apply_network("in", "100", e, bad));
    EXPECT_TRUE(apply_network("deviceInboundInterface", R"(port\=1)", e, bad));
    EXPECT_FALSE(apply_network("act", "deny", e, bad));
    EXPECT_TRUE(bad.empty());
    EXPECT_EQ(e.src_ip.to_string(), "10.0.0.1");
    EXPECT_EQ(e.dst_ip.to_string(), "2001:db8::1");
    EXPECT_EQ(e.src_port, 51000);
    EXPECT_EQ(e.transport, core::Transport::kTcp);
    EXPECT_EQ(e.src_bytes, 100u);
    EXPECT_EQ(e.ingress_interface, "port=1");
    EXPECT_TRUE(apply_network("dst", "not-an-ip", e, bad));
    EXPECT_EQ(bad, "dst");
}

// ---- time --------------------------------------------------------------------------------

std::string iso(std::optional<std::int64_t> ns) {
    return ns ? core::format_iso8601(*ns) : "none";
}

std::string device_time(std::string_view s, std::string_view zone = "UTC") {
    auto tz = core::TimeZone::parse(zone);
    return iso(parse_device_time(s, *tz, test::kTestReferenceNs));
}

TEST(CefReader, EpochSecondsMillisAndMicros) {
    EXPECT_EQ(device_time("1617183296"), "2021-03-31T09:34:56.000Z");
    EXPECT_EQ(device_time("1617183296123"), "2021-03-31T09:34:56.123Z");
    EXPECT_EQ(device_time("1617183296123456"), "2021-03-31T09:34:56.123456000Z");
    // Epoch stamps are UTC whatever the source's zone.
    EXPECT_EQ(device_time("1617183296", "+02:00"), "2021-03-31T09:34:56.000Z");
    EXPECT_EQ(device_time("0"), "none");
    EXPECT_EQ(device_time("12345678901234567890"), "none");
}

TEST(CefReader, MonthStamps) {
    EXPECT_EQ(device_time("Mar 31 2021 12:34:56"), "2021-03-31T12:34:56.000Z");
    EXPECT_EQ(device_time("Mar 31 2021 12:34:56.125"), "2021-03-31T12:34:56.125Z");
    EXPECT_EQ(device_time("Mar 31 2021 12:34:56.5"), "2021-03-31T12:34:56.500Z");
    EXPECT_EQ(device_time("Mar  1 2021 12:34:56"), "2021-03-01T12:34:56.000Z");
    // A wall-clock stamp is read in the source's zone unless it names UTC.
    EXPECT_EQ(device_time("Mar 31 2021 12:34:56", "+02:00"), "2021-03-31T10:34:56.000Z");
    EXPECT_EQ(device_time("Mar 31 2021 12:34:56 UTC", "+02:00"), "2021-03-31T12:34:56.000Z");
    EXPECT_EQ(device_time("Aug 02 2022 06:42:20 GMT", "+02:00"), "2022-08-02T06:42:20.000Z");
    // Without a year: the one that puts the stamp nearest before the reference (2023-11-14).
    EXPECT_EQ(device_time("Nov 13 10:00:00"), "2023-11-13T10:00:00.000Z");
}

TEST(CefReader, IsoStamps) {
    EXPECT_EQ(device_time("2024-05-01T10:00:05Z", "+02:00"), "2024-05-01T10:00:05.000Z");
    EXPECT_EQ(device_time("2024-05-01 10:00:05", "+02:00"), "2024-05-01T08:00:05.000Z");
}

TEST(CefReader, TimeSaysWhetherItIsUtc) {
    auto t = parse_time("Mar 31 2021 12:34:56", test::kTestReferenceNs);
    ASSERT_TRUE(t);
    EXPECT_FALSE(t->utc);
    t = parse_time("1617183296123", test::kTestReferenceNs);
    ASSERT_TRUE(t);
    EXPECT_TRUE(t->utc);
}

TEST(CefReader, MalformedTimes) {
    for (std::string_view s :
         {"", "   ", "Foo 31 2021 12:34:56", "Mar 31 2021", "Mar xx 2021 1:2:3",
          "Mar 31 2021 25:00:00", "Mar 31 2021 12:34:56.x", "Mar 31 99999 12:34:56",
          "2024-13-01T00:00:00Z", "Mar"}) {
        EXPECT_EQ(device_time(s), "none") << s;
    }
}

}  // namespace
}  // namespace cyberalarm::parse::cef
