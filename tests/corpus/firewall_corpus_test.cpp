// Accuracy against peers' parsers on the shared firewall corpus (label: corpus).
//
// Every line of ../shared/corpus/firewall/<vendor>/ goes through `cyberalarm parse`'s
// LineParser in auto-detect mode. Per vendor we report: lines, parsed % (event or
// recognised-and-ignored), event %, ignored lines on which the peer found an address, and
// for each compared field the share of the peer's values we agree with. Agreement is
// counted over the lines we turned into events: a field the peer extracted that we left
// empty is a disagreement; a field only we extracted is not counted.
//
// Normalisation, not special cases: addresses compare canonically, numbers numerically,
// transports and words case-insensitively, the peer's action word is mapped to our
// vocabulary (and not compared when it has no place in it, e.g. "teardown"), timestamps
// agree within one second, and a year-less stamp agrees whatever year the peer guessed,
// unless that year is written in the line. Vendor/product names agree when one contains
// the other ("ASA" vs "Cisco ASA").
//
// Reviewed peer quirks: tests/corpus/quirks/<vendor>.txt, lines "<file>:<index> <field>
// <reason>" ("<file>:*" for every line of a file); those comparisons are excluded and
// counted.
//
// CA_CORPUS_VENDOR=<name> limits the run; CA_CORPUS_VERBOSE=1 prints every disagreement.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/ecs_json.h"
#include "core/time.h"
#include "corpus/corpus_cases.h"
#include "parse/line_parser.h"
#include "parse/text.h"
#include "support/test_support.h"

namespace cyberalarm::test {
namespace {

namespace fs = std::filesystem;

struct FieldTally {
    std::size_t compared = 0;
    std::size_t agreed = 0;
};

struct VendorReport {
    std::size_t lines = 0;
    std::size_t events = 0;
    std::size_t ignored = 0;
    std::size_t errors = 0;
    std::size_t ignored_with_address = 0;
    std::size_t quirks = 0;
    std::map<std::string, FieldTally> fields;
};

// The ECS fields we support and compare.
const std::vector<std::string>& compared_fields() {
    static const std::vector<std::string> kFields = {
        "@timestamp",
        "source.ip",
        "source.port",
        "destination.ip",
        "destination.port",
        "network.transport",
        "event.action",
        "rule.name",
        "rule.id",
        "observer.name",
        "observer.vendor",
        "observer.product",
        "observer.serial_number",
        "observer.ingress.interface.name",
        "observer.egress.interface.name",
        "source.bytes",
        "destination.bytes",
        "network.bytes",
        "source.packets",
        "destination.packets",
        "network.packets",
    };
    return kFields;
}

std::string lower(std::string s) {
    for (auto& c : s) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return s;
}

// Our value for a field, as text ("" when we have none).
std::string ours(const core::Event& e, const std::string& field) {
    using core::Event;
    auto num = [](std::uint64_t v) { return std::to_string(v); };
    if (field == "@timestamp")
        return e.time_ns != 0 ? core::format_iso8601(e.time_ns) : "";
    if (field == "source.ip")
        return e.src_ip.is_set() ? e.src_ip.to_string() : "";
    if (field == "destination.ip")
        return e.dst_ip.is_set() ? e.dst_ip.to_string() : "";
    if (field == "source.port")
        return e.has(Event::kSrcPort) ? num(e.src_port) : "";
    if (field == "destination.port")
        return e.has(Event::kDstPort) ? num(e.dst_port) : "";
    if (field == "network.transport") {
        return e.transport == core::Transport::kUnknown ? ""
                                                        : std::string(core::to_string(e.transport));
    }
    if (field == "event.action") {
        return e.action == core::Action::kUnknown ? "" : std::string(core::to_string(e.action));
    }
    if (field == "rule.name")
        return e.rule_name;
    if (field == "rule.id")
        return e.rule_id;
    if (field == "observer.name")
        return e.observer_name;
    if (field == "observer.vendor")
        return e.observer_vendor;
    if (field == "observer.product")
        return e.observer_product;
    if (field == "observer.serial_number")
        return e.observer_serial;
    if (field == "observer.ingress.interface.name")
        return e.ingress_interface;
    if (field == "observer.egress.interface.name")
        return e.egress_interface;
    if (field == "source.bytes")
        return e.has(Event::kSrcBytes) ? num(e.src_bytes) : "";
    if (field == "destination.bytes")
        return e.has(Event::kDstBytes) ? num(e.dst_bytes) : "";
    if (field == "source.packets")
        return e.has(Event::kSrcPackets) ? num(e.src_packets) : "";
    if (field == "destination.packets") {
        return e.has(Event::kDstPackets) ? num(e.dst_packets) : "";
    }
    if (field == "network.bytes") {
        if (e.has(Event::kBytes))
            return num(e.bytes);
        if (e.has(Event::kSrcBytes) && e.has(Event::kDstBytes))
            return num(e.src_bytes + e.dst_bytes);
        return "";
    }
    if (field == "network.packets") {
        if (e.has(Event::kPackets))
            return num(e.packets);
        if (e.has(Event::kSrcPackets) && e.has(Event::kDstPackets)) {
            return num(e.src_packets + e.dst_packets);
        }
        return "";
    }
    return "";
}

enum class Verdict { kAgree, kDisagree, kNotComparable };

Verdict compare(const std::string& field, const std::string& peer, const std::string& mine,
                const std::string& line) {
    if (field == "event.action") {
        core::Action want = parse::action_from_word(peer);
        if (want == core::Action::kUnknown) {
            return Verdict::kNotComparable;
        }
        return mine == core::to_string(want) ? Verdict::kAgree : Verdict::kDisagree;
    }
    if (mine.empty()) {
        return Verdict::kDisagree;
    }
    if (field == "@timestamp") {
        auto p = core::parse_iso8601(peer);
        auto m = core::parse_iso8601(mine);
        if (!p || !m) {
            return Verdict::kNotComparable;
        }
        std::int64_t diff = p->ns > m->ns ? p->ns - m->ns : m->ns - p->ns;
        if (diff < core::kNanosPerSecond) {
            return Verdict::kAgree;
        }
        auto pc = core::ns_to_civil(p->ns);
        auto mc = core::ns_to_civil(m->ns);
        bool same_but_year = pc.month == mc.month && pc.day == mc.day && pc.hour == mc.hour &&
                             pc.minute == mc.minute && pc.second == mc.second;
        if (same_but_year && line.find(std::to_string(pc.year)) == std::string::npos) {
            return Verdict::kAgree;
        }
        return Verdict::kDisagree;
    }
    if (field.ends_with(".ip")) {
        auto p = core::IpAddress::parse(peer);
        auto m = core::IpAddress::parse(mine);
        if (!p) {
            return Verdict::kNotComparable;
        }
        return m && *p == *m ? Verdict::kAgree : Verdict::kDisagree;
    }
    if (field.ends_with(".port") || field.ends_with(".bytes") || field.ends_with(".packets")) {
        char* end = nullptr;
        double p = std::strtod(peer.c_str(), &end);
        if (end == peer.c_str()) {
            return Verdict::kNotComparable;
        }
        return std::strtod(mine.c_str(), nullptr) == p ? Verdict::kAgree : Verdict::kDisagree;
    }
    if (field == "network.transport") {
        auto p = core::transport_from_name(peer);
        auto m = core::transport_from_name(mine);
        if (p != core::Transport::kUnknown) {
            return p == m ? Verdict::kAgree : Verdict::kDisagree;
        }
        return lower(peer) == lower(mine) ? Verdict::kAgree : Verdict::kDisagree;
    }
    if (field == "observer.vendor" || field == "observer.product") {
        auto p = lower(peer);
        auto m = lower(mine);
        return (p.find(m) != std::string::npos || m.find(p) != std::string::npos)
                   ? Verdict::kAgree
                   : Verdict::kDisagree;
    }
    if (field.starts_with("observer.")) {
        return lower(peer) == lower(mine) ? Verdict::kAgree : Verdict::kDisagree;
    }
    return peer == mine ? Verdict::kAgree : Verdict::kDisagree;
}

// "<file>:<index> <field>" → reason
std::map<std::string, std::string> load_quirks(const std::string& vendor) {
    std::map<std::string, std::string> out;
    fs::path p = source_dir() / "tests/corpus/quirks" / (vendor + ".txt");
    if (!fs::exists(p)) {
        return out;
    }
    std::istringstream in(read_file(p));
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') {
            continue;
        }
        std::istringstream ls(line);
        std::string where;
        std::string field;
        ls >> where >> field;
        std::string reason;
        std::getline(ls, reason);
        if (!field.empty()) {
            out[where + " " + field] = reason;
        }
    }
    return out;
}

VendorReport run_vendor(const fs::path& dir, bool verbose) {
    VendorReport rep;
    auto quirks = load_quirks(dir.filename().string());
    parse::ParseContext ctx;
    ctx.reference_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    for (const auto& c : load_vendor_cases(dir)) {
        ++rep.lines;
        // One parser per line: corpus lines are independent samples, not one stream.
        parse::LineParser parser(ctx, nullptr);
        core::Event e;
        auto r = parser.parse(c.line, e);
        if (!r) {
            ++rep.errors;
            if (verbose) {
                fmt::print("  ERROR {}:{} {}\n", c.file, c.index, r.error().to_string());
            }
            continue;
        }
        if (*r == parse::Disposition::kIgnored) {
            ++rep.ignored;
            if (c.expected.count("source.ip") || c.expected.count("destination.ip")) {
                ++rep.ignored_with_address;
                if (verbose) {
                    fmt::print("  IGNORED-WITH-ADDRESS {}:{}\n", c.file, c.index);
                }
            }
            continue;
        }
        ++rep.events;
        for (const auto& field : compared_fields()) {
            auto it = c.expected.find(field);
            if (it == c.expected.end() || it->second.empty()) {
                continue;
            }
            std::string mine = ours(e, field);
            Verdict v = compare(field, it->second, mine, c.line);
            if (v == Verdict::kNotComparable) {
                continue;
            }
            std::string key = c.file + ":" + std::to_string(c.index) + " " + field;
            std::string whole_file = c.file + ":* " + field;
            if (v == Verdict::kDisagree && (quirks.count(key) || quirks.count(whole_file))) {
                ++rep.quirks;
                continue;
            }
            auto& t = rep.fields[field];
            ++t.compared;
            if (v == Verdict::kAgree) {
                ++t.agreed;
            } else if (verbose) {
                fmt::print("  DIFF {}:{} {}: ours='{}' peer='{}'\n", c.file, c.index, field, mine,
                           it->second);
            }
        }
    }
    return rep;
}

double pct(std::size_t a, std::size_t b) {
    return b == 0 ? 100.0 : 100.0 * static_cast<double>(a) / static_cast<double>(b);
}

TEST(FirewallCorpus, EveryVendorParsesAndAgreesWithItsPeer) {
    CA_REQUIRE_CORPUS();
    fs::path root = corpus_dir() / "firewall";
    ASSERT_TRUE(fs::exists(root)) << root;
    const char* only = std::getenv("CA_CORPUS_VENDOR");
    bool verbose = std::getenv("CA_CORPUS_VERBOSE") != nullptr;

    std::vector<fs::path> vendors;
    for (const auto& entry : fs::directory_iterator(root)) {
        if (entry.is_directory() && (only == nullptr || entry.path().filename() == only)) {
            vendors.push_back(entry.path());
        }
    }
    std::sort(vendors.begin(), vendors.end());
    ASSERT_FALSE(vendors.empty());

    std::map<std::string, VendorReport> reports;
    for (const auto& v : vendors) {
        if (verbose) {
            fmt::print("{}:\n", v.filename().string());
        }
        reports[v.filename().string()] = run_vendor(v, verbose);
    }

    fmt::print("\n{:<18} {:>5} {:>7} {:>7} {:>6} {:>6}  lowest field agreement\n", "vendor",
               "lines", "parsed%", "event%", "ign+ip", "quirks");
    for (const auto& [name, r] : reports) {
        std::string lowest = "-";
        double low = 101;
        for (const auto& [field, t] : r.fields) {
            double p = pct(t.agreed, t.compared);
            if (p < low) {
                low = p;
                lowest = fmt::format("{} {:.1f}% ({}/{})", field, p, t.agreed, t.compared);
            }
        }
        fmt::print("{:<18} {:>5} {:>7.1f} {:>7.1f} {:>6} {:>6}  {}\n", name, r.lines,
                   pct(r.events + r.ignored, r.lines), pct(r.events, r.lines),
                   r.ignored_with_address, r.quirks, lowest);
    }
    fmt::print("\nper-field agreement (agreed/compared):\n{:<34}", "field");
    for (const auto& [name, r] : reports) {
        (void)r;
        fmt::print(" {:>9.9}", name);
    }
    fmt::print("\n");
    for (const auto& field : compared_fields()) {
        fmt::print("{:<34}", field);
        for (const auto& [name, r] : reports) {
            auto it = r.fields.find(field);
            if (it == r.fields.end()) {
                fmt::print(" {:>9}", "-");
            } else {
                fmt::print(" {:>9}", fmt::format("{}/{}", it->second.agreed, it->second.compared));
            }
        }
        fmt::print("\n");
    }

    for (const auto& [name, r] : reports) {
        EXPECT_GE(pct(r.events + r.ignored, r.lines), 95.0) << name << ": too few lines parsed";
        for (const auto& [field, t] : r.fields) {
            EXPECT_GE(pct(t.agreed, t.compared), 95.0)
                << name << ": " << field << " agrees on " << t.agreed << "/" << t.compared;
        }
    }
}

}  // namespace
}  // namespace cyberalarm::test
