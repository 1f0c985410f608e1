#include "detect/rule.h"

#include <gtest/gtest.h>

namespace cyberalarm::detect {
namespace {

std::string error_of(const std::string& yaml) {
    auto r = load_rules(yaml, "rules/x.yaml");
    EXPECT_FALSE(r);
    return r ? std::string() : r.error().message();
}

TEST(Rules, ErrorsNameFileLineAndProblem) {
    EXPECT_EQ(
        error_of("rules:\n  - id: a\n    kind: port_scan\n    window: 10m\n    colour: red\n"),
        "rules/x.yaml:5: unknown rule key 'colour'");
    EXPECT_EQ(error_of("rules:\n  - id: a\n    kind: portscan\n    window: 10m\n"),
              "rules/x.yaml:3: unknown kind 'portscan'");
    EXPECT_EQ(
        error_of("rules:\n  - id: a\n    kind: flood\n    window: 10 minutes\n"),
        "rules/x.yaml:4: duration '10 minutes' is not like 90s, 10m, 2h or 1d (at most a year)");
    EXPECT_EQ(error_of("rules:\n  - id: a\n    kind: flood\n    window: 1m\n    match:\n      "
                       "source.ip: 10.0.0.300\n"),
              "rules/x.yaml:6: '10.0.0.300' is not an address or prefix");
    EXPECT_EQ(error_of("rules:\n  - id: a\n    kind: flood\n    window: 1m\n    match:\n      "
                       "destination.port: 70000\n"),
              "rules/x.yaml:6: '70000' is not a port or port range");
    EXPECT_EQ(error_of("rules:\n  - id: a\n    kind: flood\n    window: 1m\n    match:\n      "
                       "source.colour: x\n"),
              "rules/x.yaml:6: unknown event field 'source.colour'");
    EXPECT_EQ(error_of("rules:\n  - id: a\n    kind: flood\n    window: 1m\n  - id: a\n    kind: "
                       "flood\n    window: 1m\n"),
              "rules/x.yaml:5: duplicate rule id 'a'");
    EXPECT_NE(error_of("rules: [unclosed\n").find("rules/x.yaml:"), std::string::npos);
    EXPECT_EQ(error_of("nothing: here\n"), "rules/x.yaml: expected a top-level 'rules:' list");
    EXPECT_EQ(error_of("rules:\n  - id: a\n    kind: flood\n    window: 1m\n    threshold: 0\n"),
              "rules/x.yaml:5: threshold must be a whole number from 1 to 1000000");
}

TEST(Rules, ConditionsMatchAddressesPortRangesAndWords) {
    auto rules = load_rules(R"(rules:
  - id: a
    kind: exposure
    window: 1h
    match:
      destination.ip: [203.0.113.0/24, "2001:db8::/32"]
      destination.port: ["3380-3390", 445]
      event.action: ALLOW
    match_not:
      source.ip: 192.0.2.1
)",
                            "x");
    ASSERT_TRUE(rules) << rules.error().to_string();
    const Rule& r = rules->front();
    core::Event e;
    e.src_ip = *core::IpAddress::parse("198.51.100.1");
    e.dst_ip = *core::IpAddress::parse("2001:db8::5");
    e.set_dst_port(3389);
    e.action = core::Action::kAllow;
    EXPECT_TRUE(r.selects(e));
    e.set_dst_port(3391);
    EXPECT_FALSE(r.selects(e));
    e.set_dst_port(445);
    e.src_ip = *core::IpAddress::parse("192.0.2.1");
    EXPECT_FALSE(r.selects(e));
    e.src_ip = *core::IpAddress::parse("198.51.100.1");
    e.action = core::Action::kDrop;
    EXPECT_FALSE(r.selects(e));
}

TEST(Rules, Durations) {
    EXPECT_EQ(*parse_duration("90s"), std::int64_t{90} * 1'000'000'000);
    EXPECT_EQ(*parse_duration("2h"), std::int64_t{7200} * 1'000'000'000);
    EXPECT_FALSE(parse_duration("0s"));
    EXPECT_FALSE(parse_duration("5y"));
    EXPECT_FALSE(parse_duration("s"));
    EXPECT_FALSE(parse_duration("400d"));
}

}  // namespace
}  // namespace cyberalarm::detect

namespace cyberalarm::detect {
namespace {

TEST(Rules, SequenceValidation) {
    EXPECT_EQ(error_of("rules:\n  - id: a\n    kind: brute_force\n    window: 1h\n    sequence:\n  "
                       "    - match: {event.outcome: failure}\n"),
              "rules/x.yaml:6: sequence needs a list of 2 to 8 steps");
    EXPECT_EQ(error_of("rules:\n  - id: a\n    kind: brute_force\n    window: 1h\n    sequence:\n  "
                       "    - min: 3\n      - match: {event.outcome: success}\n"),
              "rules/x.yaml:6: each sequence step needs 'match'");
}

}  // namespace
}  // namespace cyberalarm::detect
