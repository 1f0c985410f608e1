#include <gtest/gtest.h>

#include "core/ecs_json.h"
#include "parse/formats/formats.h"
#include "support/format_test.h"

namespace cyberalarm::parse {
namespace {

test::ParsedLine run(std::string_view line) {
    return test::parse_with(formats::suricata_eve(), line);
}

TEST(SuricataEve, AlertMapsSignatureAndSeverity) {
    auto p = run(
        R"({"timestamp":"2024-03-01T10:00:00.250000+0100","flow_id":42,"in_iface":"eth1",)"
        R"("event_type":"alert","src_ip":"203.0.113.9","src_port":40000,"dest_ip":"192.0.2.10",)"
        R"("dest_port":22,"proto":"TCP","alert":{"action":"allowed","gid":1,)"
        R"("signature_id":2001219,"rev":20,"signature":"ET SCAN Potential SSH Scan",)"
        R"("category":"Attempted Information Leak","severity":2},"app_proto":"ssh",)"
        R"("flow":{"pkts_toserver":3,"bytes_toserver":180,"pkts_toclient":2,"bytes_toclient":120}})");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_GE(p.confidence, 80);
    const auto& e = p.event;
    EXPECT_EQ(*p.result, Disposition::kEvent);
    EXPECT_EQ(e.category, core::Category::kIds);
    EXPECT_EQ(e.action, core::Action::kAlert);
    EXPECT_EQ(e.rule_id, "2001219");
    EXPECT_EQ(e.rule_name, "ET SCAN Potential SSH Scan");
    EXPECT_EQ(e.rule_ruleset, "Attempted Information Leak");
    EXPECT_EQ(e.severity, core::Severity::kMedium);
    EXPECT_EQ(e.src_ip.to_string(), "203.0.113.9");
    EXPECT_EQ(e.dst_port, 22);
    EXPECT_EQ(e.transport, core::Transport::kTcp);
    EXPECT_EQ(e.ingress_interface, "eth1");
    EXPECT_EQ(e.app_protocol, "ssh");
    EXPECT_EQ(e.src_bytes, 180u);
    EXPECT_EQ(e.dst_packets, 2u);
    EXPECT_EQ(core::format_iso8601(e.time_ns), "2024-03-01T09:00:00.250Z");
}

TEST(SuricataEve, BlockedAlertIsADrop) {
    auto p =
        run(R"({"timestamp":"2024-03-01T10:00:00Z","event_type":"alert","src_ip":"2001:db8::1",)"
            R"("src_port":1,"dest_ip":"2001:db8::2","dest_port":80,"proto":"TCP",)"
            R"("alert":{"action":"blocked","signature_id":1,"signature":"x","severity":1}})");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.action, core::Action::kDrop);
    EXPECT_EQ(p.event.severity, core::Severity::kHigh);
    EXPECT_TRUE(p.event.src_ip.is_v6());
}

TEST(SuricataEve, FlowCountersAndDuration) {
    auto p = run(
        R"({"timestamp":"2024-03-01T10:00:05+0000","event_type":"flow","src_ip":"10.0.0.1",)"
        R"("src_port":5000,"dest_ip":"198.51.100.7","dest_port":443,"proto":"TCP","app_proto":"tls",)"
        R"("flow":{"pkts_toserver":10,"pkts_toclient":8,"bytes_toserver":1000,"bytes_toclient":9000,)"
        R"("start":"2024-03-01T10:00:00.000000+0000","end":"2024-03-01T10:00:02.500000+0000"}})");
    ASSERT_TRUE(p.result);
    const auto& e = p.event;
    EXPECT_EQ(e.category, core::Category::kFlow);
    EXPECT_EQ(e.src_bytes, 1000u);
    EXPECT_EQ(e.dst_bytes, 9000u);
    EXPECT_EQ(e.src_packets, 10u);
    EXPECT_EQ(e.duration_ns, 2'500'000'000);
    EXPECT_EQ(e.app_protocol, "tls");
}

TEST(SuricataEve, AnomalyCarriesItsEvent) {
    auto p = run(
        R"({"timestamp":"2024-03-01T10:00:00+0000","event_type":"anomaly","src_ip":"10.0.0.1",)"
        R"("src_port":80,"dest_ip":"10.0.0.2","dest_port":5555,"proto":"TCP",)"
        R"("anomaly":{"type":"applayer","event":"INVALID_REQUEST_CHUNK_LEN","layer":"proto_parser"}})");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(p.event.category, core::Category::kIds);
    EXPECT_EQ(p.event.event_code, "INVALID_REQUEST_CHUNK_LEN");
}

TEST(SuricataEve, ProtocolRecordsKeepNoContent) {
    auto p = run(
        R"(Mar  1 10:00:00 sensor1 suricata[811]: {"timestamp":"2024-03-01T10:00:00+0000",)"
        R"("event_type":"http","src_ip":"10.0.0.5","src_port":50000,"dest_ip":"192.0.2.80",)"
        R"("dest_port":80,"proto":"TCP","http":{"hostname":"secret.example","url":"/private?q=alice",)"
        R"("http_user_agent":"AgentSmith","http_method":"GET","status":200}})");
    ASSERT_TRUE(p.result) << p.result.error().to_string();
    EXPECT_EQ(p.event.category, core::Category::kFlow);
    EXPECT_EQ(p.event.app_protocol, "http");
    std::string json = core::to_ecs_json(p.event);
    EXPECT_EQ(json.find("secret.example"), std::string::npos);
    EXPECT_EQ(json.find("alice"), std::string::npos);
    EXPECT_EQ(json.find("AgentSmith"), std::string::npos);
}

TEST(SuricataEve, StatsAreIgnored) {
    auto p = run(
        R"({"timestamp":"2024-03-01T10:00:00+0000","event_type":"stats","stats":{"uptime":5}})");
    ASSERT_TRUE(p.result);
    EXPECT_EQ(*p.result, Disposition::kIgnored);
}

TEST(SuricataEve, TruncatedJsonIsAnErrorWithOffset) {
    auto p = run(R"({"timestamp":"2024-03-01T10:00:00+0000","event_type":"alert","src_ip":"10.0)");
    ASSERT_FALSE(p.result);
    EXPECT_EQ(p.result.error().code(), core::ErrorCode::kParse);
    EXPECT_NE(p.result.error().offset(), core::Error::kNoOffset);
}

TEST(SuricataEve, BadAddressNamesTheField) {
    auto p = run(R"({"event_type":"flow","src_ip":"10.0.0.300","dest_ip":"10.0.0.1","flow_id":1})");
    ASSERT_FALSE(p.result);
    EXPECT_EQ(p.result.error().field(), "src_ip");
}

TEST(SuricataEve, ProbeIgnoresOtherJson) {
    EXPECT_EQ(run(R"({"host":"x","system":{"memory":{"free":1}}})").confidence, 0);
    EXPECT_EQ(run("plain text line").confidence, 0);
}

}  // namespace
}  // namespace cyberalarm::parse
