#include "privacy/policy.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace cyberalarm::privacy {
namespace {

using core::Direction;
using core::Event;
using core::IpAddress;

IpAddress ip(const char* text) {
    return IpAddress::parse(text).value();
}

Key key_of(std::uint8_t seed) {
    Key k{};
    for (std::size_t i = 0; i < k.size(); ++i) {
        k[i] = static_cast<std::uint8_t>(seed + i * 7);
    }
    return k;
}

core::CidrSet cidrs(std::string_view list) {
    core::CidrSet s;
    EXPECT_TRUE(s.add_list(list));
    return s;
}

constexpr char kInternal[] = "10.0.0.0/8 192.0.2.0/24 2001:db8:1::/48";
constexpr char kTrusted[] = "198.51.100.7 10.9.9.9 2001:db8:ffff::/48";

PolicyOptions base_options() {
    PolicyOptions o;
    o.internal_networks = cidrs(kInternal);
    o.trusted_sources = cidrs(kTrusted);
    o.pseudonymiser = std::move(CryptoPan::from_key(key_of(1)).value());
    o.scrub_key = key_of(2);
    return o;
}

Policy make(PolicyOptions o = base_options()) {
    return std::move(Policy::create(std::move(o)).value());
}

const CryptoPan& pan() {
    static const CryptoPan p = std::move(CryptoPan::from_key(key_of(1)).value());
    return p;
}

Event flow(const char* src, const char* dst) {
    Event e;
    if (src != nullptr) {
        e.src_ip = ip(src);
    }
    if (dst != nullptr) {
        e.dst_ip = ip(dst);
    }
    e.set_src_port(51234);
    e.set_dst_port(22);
    e.rule_name = "ET SCAN Potential SSH Scan";
    return e;
}

TEST(Policy, InboundIsKeptWithDirectionAndPseudonymisedDestination) {
    Policy p = make();
    PolicyStats s;
    Event e = flow("203.0.113.9", "10.1.2.3");
    EXPECT_EQ(p.apply(e, s), Verdict::kKeep);
    EXPECT_EQ(e.direction, Direction::kInbound);
    EXPECT_EQ(e.src_ip, ip("203.0.113.9"));  // the attacker stays in clear
    EXPECT_EQ(e.dst_ip, pan().anonymise(ip("10.1.2.3")));
    EXPECT_NE(e.dst_ip, ip("10.1.2.3"));
    EXPECT_EQ(e.rule_name, "ET SCAN Potential SSH Scan");
    EXPECT_EQ(s.kept, 1u);
    EXPECT_EQ(s.direction_set, 1u);
    EXPECT_EQ(s.pseudonymised, 1u);
}

TEST(Policy, OutboundPseudonymisesTheSource) {
    Policy p = make();
    Event e = flow("192.0.2.44", "203.0.113.80");
    EXPECT_EQ(p.apply(e), Verdict::kKeep);
    EXPECT_EQ(e.direction, Direction::kOutbound);
    EXPECT_EQ(e.src_ip, pan().anonymise(ip("192.0.2.44")));
    EXPECT_EQ(e.dst_ip, ip("203.0.113.80"));
}

TEST(Policy, Ipv6InboundAndOutbound) {
    Policy p = make();
    Event in = flow("2001:db8:bad::1", "2001:db8:1:2::10");
    EXPECT_EQ(p.apply(in), Verdict::kKeep);
    EXPECT_EQ(in.direction, Direction::kInbound);
    EXPECT_TRUE(in.dst_ip.is_v6());
    EXPECT_EQ(in.dst_ip, pan().anonymise(ip("2001:db8:1:2::10")));
    EXPECT_EQ(in.src_ip, ip("2001:db8:bad::1"));

    Event out = flow("2001:db8:1::5", "2606:4700::1111");
    EXPECT_EQ(p.apply(out), Verdict::kKeep);
    EXPECT_EQ(out.direction, Direction::kOutbound);
    EXPECT_EQ(out.src_ip, pan().anonymise(ip("2001:db8:1::5")));
}

TEST(Policy, DropsInternalToInternalInBothFamiliesAndLeavesTheEventAlone) {
    Policy p = make();
    PolicyStats s;
    for (auto [src, dst] : {std::pair{"10.1.1.1", "10.2.2.2"}, std::pair{"192.0.2.1", "10.0.0.1"},
                            std::pair{"2001:db8:1::1", "2001:db8:1:ffff::2"},
                            std::pair{"10.0.0.1", "2001:db8:1::9"}}) {
        Event e = flow(src, dst);
        Event before = e;
        EXPECT_EQ(p.apply(e, s), Verdict::kDropInternal) << src << " " << dst;
        EXPECT_EQ(e, before);
    }
    EXPECT_EQ(s.dropped_internal, 4u);
    EXPECT_EQ(s.kept, 0u);
    // The edges of the networks: just outside is external.
    Event edge = flow("10.255.255.255", "11.0.0.0");
    EXPECT_EQ(p.apply(edge), Verdict::kKeep);
    Event edge6 = flow("2001:db8:1:ffff:ffff:ffff:ffff:ffff", "2001:db8:2::");
    EXPECT_EQ(p.apply(edge6), Verdict::kKeep);
    EXPECT_EQ(edge6.direction, Direction::kOutbound);
}

TEST(Policy, DropsTrafficFromTrustedSourcesOnly) {
    Policy p = make();
    PolicyStats s;
    Event scan = flow("198.51.100.7", "10.0.0.5");  // the member's external scanning service
    EXPECT_EQ(p.apply(scan, s), Verdict::kDropTrusted);
    Event internal_scanner = flow("10.9.9.9", "10.0.0.5");  // trusted wins over internal
    EXPECT_EQ(p.apply(internal_scanner, s), Verdict::kDropTrusted);
    Event v6 = flow("2001:db8:ffff::3", "2001:db8:1::1");
    EXPECT_EQ(p.apply(v6, s), Verdict::kDropTrusted);
    EXPECT_EQ(s.dropped_trusted, 3u);
    // An attack *on* the scanner is still an attack.
    Event at_scanner = flow("203.0.113.9", "198.51.100.7");
    EXPECT_EQ(p.apply(at_scanner, s), Verdict::kKeep);
    Event from_inside_to_scanner = flow("10.0.0.5", "10.9.9.9");
    EXPECT_EQ(p.apply(from_inside_to_scanner, s), Verdict::kDropInternal);
}

TEST(Policy, CanAlsoDropTrafficToTrustedHosts) {
    PolicyOptions o = base_options();
    o.drop_to_trusted = true;
    Policy p = make(std::move(o));
    Event reply = flow("10.0.0.5", "198.51.100.7");
    EXPECT_EQ(p.apply(reply), Verdict::kDropTrusted);
    Event at_scanner = flow("203.0.113.9", "198.51.100.7");
    EXPECT_EQ(p.apply(at_scanner), Verdict::kDropTrusted);
}

TEST(Policy, ExternalTrafficKeepsBothAddressesInClear) {
    Policy p = make();
    Event e = flow("203.0.113.9", "198.51.100.200");
    EXPECT_EQ(p.apply(e), Verdict::kKeep);
    EXPECT_EQ(e.direction, Direction::kExternal);
    EXPECT_EQ(e.src_ip, ip("203.0.113.9"));
    EXPECT_EQ(e.dst_ip, ip("198.51.100.200"));
}

TEST(Policy, KeepsADirectionTheDeviceGave) {
    Policy p = make();
    Event e = flow("203.0.113.9", "10.0.0.1");
    e.direction = Direction::kOutbound;  // whatever the device said
    p.apply(e);
    EXPECT_EQ(e.direction, Direction::kOutbound);
    EXPECT_EQ(e.dst_ip, pan().anonymise(ip("10.0.0.1")));  // still pseudonymised
}

TEST(Policy, OneSidedEventsAreKeptWithoutADirection) {
    Policy p = make();
    PolicyStats s;
    Event only_src = flow("10.0.0.7", nullptr);  // e.g. an AV event naming the infected host
    EXPECT_EQ(p.apply(only_src, s), Verdict::kKeep);
    EXPECT_EQ(only_src.direction, Direction::kUnknown);
    EXPECT_EQ(only_src.src_ip, pan().anonymise(ip("10.0.0.7")));
    EXPECT_FALSE(only_src.dst_ip.is_set());
    Event none = flow(nullptr, nullptr);
    EXPECT_EQ(p.apply(none, s), Verdict::kKeep);
    EXPECT_FALSE(none.src_ip.is_set());
    EXPECT_EQ(s.direction_set, 0u);
}

TEST(Policy, WithoutInternalNetworksOrKeyNothingIsDroppedOrHidden) {
    Policy p = make(PolicyOptions{});
    Event e = flow("10.1.1.1", "10.2.2.2");
    EXPECT_EQ(p.apply(e), Verdict::kKeep);
    EXPECT_EQ(e.direction, Direction::kUnknown);
    EXPECT_EQ(e.src_ip, ip("10.1.1.1"));

    PolicyOptions no_key = base_options();
    no_key.pseudonymiser.reset();
    Policy q = make(std::move(no_key));
    Event in = flow("203.0.113.9", "10.1.2.3");
    EXPECT_EQ(q.apply(in), Verdict::kKeep);
    EXPECT_EQ(in.direction, Direction::kInbound);
    EXPECT_EQ(in.dst_ip, ip("10.1.2.3"));
}

TEST(Policy, PseudonymisesAnObserverNamedByAnInternalAddress) {
    Policy p = make();
    Event e = flow("203.0.113.9", "10.0.0.1");
    e.observer_name = "10.0.0.254";
    p.apply(e);
    EXPECT_EQ(e.observer_name, pan().anonymise(ip("10.0.0.254")).to_string());
    Event named = flow("203.0.113.9", "10.0.0.1");
    named.observer_name = "fw-01.example.net";
    p.apply(named);
    EXPECT_EQ(named.observer_name, "fw-01.example.net");
    Event external = flow("203.0.113.9", "10.0.0.1");
    external.observer_name = "203.0.113.1";
    p.apply(external);
    EXPECT_EQ(external.observer_name, "203.0.113.1");
}

Event all_fields() {
    Event e = flow("203.0.113.9", "10.0.0.1");
    e.format = "cisco_asa";
    e.observer_name = "fw-01";
    e.observer_vendor = "Cisco";
    e.observer_product = "ASA";
    e.observer_serial = "JMX1234X0AB";
    e.ingress_interface = "outside";
    e.egress_interface = "inside";
    e.event_code = "106023";
    e.rule_id = "2001219";
    e.rule_name = "ET SCAN Potential SSH Scan";
    e.rule_ruleset = "emerging-scan";
    e.app_protocol = "ssh";
    e.user_hash = "0123456789abcdef0123456789abcdef";
    return e;
}

TEST(Policy, DefaultAllowListClearsOnlyTheSerialNumber) {
    Policy p = make();
    PolicyStats s;
    Event e = all_fields();
    Event expected = all_fields();
    p.apply(e, s);
    expected.observer_serial.clear();
    EXPECT_EQ(e.observer_serial, "");
    for (StringField f : all_string_fields()) {
        EXPECT_EQ(field_value(e, f), field_value(expected, f)) << field_name(f);
    }
    EXPECT_EQ(s.fields_cleared, 1u);
    EXPECT_EQ(s.fields_scrubbed, 0u);
}

TEST(Policy, ConfiguredAllowListClearsEverythingElse) {
    PolicyOptions o = base_options();
    std::vector<std::string> names = {"rule.name", "rule.id", "event.module"};
    o.allowed_fields = FieldSet::from_names(names).value();
    Policy p = make(std::move(o));
    PolicyStats s;
    Event e = all_fields();
    p.apply(e, s);
    EXPECT_EQ(e.rule_name, "ET SCAN Potential SSH Scan");
    EXPECT_EQ(e.rule_id, "2001219");
    EXPECT_EQ(e.format, "cisco_asa");
    for (StringField f : all_string_fields()) {
        if (f != StringField::kRuleName && f != StringField::kRuleId && f != StringField::kModule) {
            EXPECT_EQ(field_value(e, f), "") << field_name(f);
        }
    }
    EXPECT_EQ(s.fields_cleared, 10u);
}

TEST(Policy, FieldNamesRoundTripAndUnknownNamesAreRefused) {
    for (StringField f : all_string_fields()) {
        EXPECT_EQ(field_from_name(field_name(f)), f);
    }
    std::vector<std::string> bad = {"rule.name", "http.request.body"};
    auto r = FieldSet::from_names(bad);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("http.request.body"), std::string::npos);
    EXPECT_NE(r.error().message().find("rule.ruleset"), std::string::npos);
    EXPECT_TRUE(default_allowed_fields().contains(StringField::kRuleName));
    EXPECT_FALSE(default_allowed_fields().contains(StringField::kObserverSerial));
}

TEST(Policy, ScrubbedGroupableFieldsBecomeAStableKeyedHash) {
    Policy p = make();
    PolicyStats s;
    Event a = all_fields();
    a.rule_name = "blocked mail from alice@example.org";
    Event b = all_fields();
    b.rule_name = "blocked mail from alice@example.org";
    Event c = all_fields();
    c.rule_name = "blocked mail from bob@example.org";
    p.apply(a, s);
    p.apply(b, s);
    p.apply(c, s);
    EXPECT_EQ(a.rule_name.substr(0, 5), "hash:");
    EXPECT_EQ(a.rule_name.size(), 5u + 32u);
    EXPECT_EQ(a.rule_name.find("alice"), std::string::npos);
    EXPECT_EQ(a.rule_name, b.rule_name);  // still groups
    EXPECT_NE(a.rule_name, c.rule_name);
    EXPECT_EQ(s.fields_scrubbed, 3u);
    EXPECT_EQ(s.fields_hashed, 3u);
    EXPECT_EQ(s.scrubbed_by[static_cast<std::size_t>(ScrubReason::kEmail)], 3u);

    // Another scrub key, other hashes: pseudonyms cannot be matched across keys.
    PolicyOptions o = base_options();
    o.scrub_key = key_of(3);
    Policy q = make(std::move(o));
    Event d = all_fields();
    d.rule_name = "blocked mail from alice@example.org";
    q.apply(d);
    EXPECT_NE(d.rule_name, a.rule_name);
}

TEST(Policy, ScrubbedOtherFieldsAreClearedAndSoIsEverythingWithoutAKey) {
    Policy p = make();
    PolicyStats s;
    Event e = all_fields();
    e.ingress_interface = "https://intranet.example/hr/payroll";
    e.app_protocol = std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
    p.apply(e, s);
    EXPECT_EQ(e.ingress_interface, "");
    EXPECT_EQ(e.app_protocol, "");
    EXPECT_EQ(s.scrubbed_by[static_cast<std::size_t>(ScrubReason::kUrl)], 1u);
    EXPECT_EQ(s.scrubbed_by[static_cast<std::size_t>(ScrubReason::kBinary)], 1u);
    EXPECT_EQ(s.fields_hashed, 0u);

    PolicyOptions o = base_options();
    o.scrub_key.reset();
    Policy q = make(std::move(o));
    Event f = all_fields();
    f.rule_name = "password=hunter2";
    q.apply(f);
    EXPECT_EQ(f.rule_name, "");
}

TEST(Policy, AUserNameInTheHashFieldIsHashedAndStaysStable) {
    Policy p = make();
    PolicyStats s;
    Event e = all_fields();
    e.user_hash = "alice";
    p.apply(e, s);
    EXPECT_EQ(e.user_hash.substr(0, 5), "hash:");
    EXPECT_EQ(s.scrubbed_by[static_cast<std::size_t>(ScrubReason::kNotAHash)], 1u);
    // A second pass (a relay, a replay) leaves the replaced value as it is.
    Event again = e;
    again.src_ip = ip("203.0.113.9");
    again.dst_ip = ip("203.0.113.10");
    p.apply(again);
    EXPECT_EQ(again.user_hash, e.user_hash);
    EXPECT_EQ(again.rule_name, e.rule_name);
}

TEST(Policy, StatsAddUp) {
    PolicyStats a;
    a.events = 3;
    a.kept = 1;
    a.scrubbed_by[2] = 4;
    PolicyStats b = a;
    b.dropped_trusted = 2;
    a += b;
    EXPECT_EQ(a.events, 6u);
    EXPECT_EQ(a.kept, 2u);
    EXPECT_EQ(a.dropped_trusted, 2u);
    EXPECT_EQ(a.scrubbed_by[2], 8u);
    EXPECT_EQ(to_string(Verdict::kDropTrusted), "drop_trusted");
}

TEST(Policy, ApplyFromManyThreadsMatchesOneThread) {
    Policy p = make();
    constexpr const char* kAddrs[] = {"10.0.0.1",      "203.0.113.9",  "192.0.2.7", "198.51.100.7",
                                      "2001:db8:1::4", "2606:4700::1", "10.9.9.9",  "8.8.8.8"};
    std::vector<Event> inputs;
    for (const char* s : kAddrs) {
        for (const char* d : kAddrs) {
            Event e = all_fields();
            e.src_ip = ip(s);
            e.dst_ip = ip(d);
            e.rule_name = inputs.size() % 3 == 0 ? "user=alice" : "ET SCAN x";
            inputs.push_back(e);
        }
    }
    std::vector<Event> expected = inputs;
    PolicyStats one;
    std::vector<Verdict> verdicts;
    for (auto& e : expected) {
        verdicts.push_back(p.apply(e, one));
    }
    constexpr int kThreads = 6;
    std::vector<PolicyStats> stats(kThreads);
    std::vector<int> wrong(kThreads, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            auto i = static_cast<std::size_t>(t);
            for (int round = 0; round < 20; ++round) {
                for (std::size_t k = 0; k < inputs.size(); ++k) {
                    Event e = inputs[k];
                    Verdict v = p.apply(e, stats[i]);
                    wrong[i] += (v != verdicts[k] || e != expected[k]) ? 1 : 0;
                }
            }
        });
    }
    PolicyStats total;
    for (int t = 0; t < kThreads; ++t) {
        threads[static_cast<std::size_t>(t)].join();
        EXPECT_EQ(wrong[static_cast<std::size_t>(t)], 0);
        total += stats[static_cast<std::size_t>(t)];
    }
    EXPECT_EQ(total.events, one.events * kThreads * 20);
    EXPECT_EQ(total.kept, one.kept * kThreads * 20);
    EXPECT_EQ(total.fields_hashed, one.fields_hashed * kThreads * 20);
}

}  // namespace
}  // namespace cyberalarm::privacy
