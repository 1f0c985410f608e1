#include "detect/finding.h"

#include <gtest/gtest.h>

#include "core/time.h"

namespace cyberalarm::detect {
namespace {

TEST(Finding, JsonRoundTripAndScorerFields) {
    Finding f;
    f.id = "port_scan:198.51.100.7|203.0.113.10";
    f.kind = FindingKind::kPortScan;
    f.severity = core::Severity::kHigh;
    f.rule = "port-scan";
    f.title = "Port scan";
    f.advice = "Close ports.";
    f.sources = {*core::IpAddress::parse("198.51.100.7")};
    f.targets = {*core::IpAddress::parse("2001:db8::10")};
    f.ports = {22, 80};
    f.transport = core::Transport::kTcp;
    f.count = 42;
    f.distinct_ports = 2;
    f.first_seen_ns = std::int64_t{1'763'900'000} * core::kNanosPerSecond;
    f.last_seen_ns = f.first_seen_ns + 5 * core::kNanosPerSecond;
    core::Event e;
    e.time_ns = f.first_seen_ns;
    e.src_ip = f.sources[0];
    f.evidence = {e};
    std::string json = to_json(f);
    EXPECT_NE(json.find(R"("kind":"port_scan")"), std::string::npos);
    EXPECT_NE(json.find(R"("source":{"ip":"198.51.100.7")"), std::string::npos) << json;
    EXPECT_NE(json.find(R"("first_seen":"2025-11-23T12:13:20.000Z")"), std::string::npos) << json;
    auto back = finding_from_json(json);
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(to_json(*back), json);
    EXPECT_FALSE(finding_from_json(R"({"kind":"nonsense"})"));
    EXPECT_FALSE(finding_from_json("[1,2]"));
}

}  // namespace
}  // namespace cyberalarm::detect
