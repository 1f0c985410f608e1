#include "parse/formats/iptables_prefix.h"

#include <cstdint>
#include <optional>

#include "core/time.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats::iptables_detail {

namespace {

constexpr std::size_t kMaxRuleName = 64;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool all_digits(std::string_view s) {
    if (s.empty()) {
        return false;
    }
    for (char c : s) {
        if (!is_digit(c)) {
            return false;
        }
    }
    return true;
}

// Two-digit (or n-digit) decimal at s[pos..pos+n).
std::optional<int> digits_at(std::string_view s, std::size_t pos, std::size_t n) {
    if (pos + n > s.size()) {
        return std::nullopt;
    }
    auto v = to_uint<unsigned>(s.substr(pos, n));
    if (!v) {
        return std::nullopt;
    }
    return static_cast<int>(*v);
}

// "20/Jun/2022:13:09:14" → wall-clock ns (read as UTC).
std::optional<std::int64_t> read_clf_stamp(std::string_view s) {
    if (s.size() != 20 || s[2] != '/' || s[6] != '/' || s[11] != ':' || s[14] != ':' ||
        s[17] != ':') {
        return std::nullopt;
    }
    core::CivilTime t;
    auto day = digits_at(s, 0, 2);
    auto year = digits_at(s, 7, 4);
    auto hour = digits_at(s, 12, 2);
    auto minute = digits_at(s, 15, 2);
    auto second = digits_at(s, 18, 2);
    t.month = core::month_from_abbrev(s.substr(3, 3));
    if (!day || !year || !hour || !minute || !second || t.month == 0) {
        return std::nullopt;
    }
    t.year = *year;
    t.day = *day;
    t.hour = *hour;
    t.minute = *minute;
    t.second = *second;
    return core::civil_to_ns(t);
}

// "+0200" → seconds east of UTC.
std::optional<std::int64_t> read_offset(std::string_view s) {
    if (s.size() != 5 || (s[0] != '+' && s[0] != '-')) {
        return std::nullopt;
    }
    auto hh = digits_at(s, 1, 2);
    auto mm = digits_at(s, 3, 2);
    if (!hh || !mm || *hh > 23 || *mm > 59) {
        return std::nullopt;
    }
    std::int64_t secs = *hh * 3600 + *mm * 60;
    return s[0] == '-' ? -secs : secs;
}

void set_action_from_words(std::string_view prefix, core::Event& out) {
    std::size_t i = 0;
    while (i < prefix.size()) {
        while (i < prefix.size() && !is_alnum(prefix[i])) {
            ++i;
        }
        std::size_t start = i;
        while (i < prefix.size() && is_alnum(prefix[i])) {
            ++i;
        }
        // Verdict words start with one of these letters; skip the others cheaply (this runs
        // on every line).
        char first = i > start ? static_cast<char>(prefix[start] | 0x20) : '\0';
        bool candidate = first == 'a' || first == 'b' || first == 'c' || first == 'd' ||
                         first == 'p' || first == 'r';
        if (candidate) {
            core::Action a = action_from_word(prefix.substr(start, i - start));
            if (a != core::Action::kUnknown) {
                out.action = a;
                return;
            }
        }
    }
}

}  // namespace

bool looks_ubiquiti(std::string_view prefix) {
    prefix = trim(prefix);
    if (prefix.size() < 6 || prefix.front() != '[' || prefix.back() != ']') {
        return false;
    }
    char verdict = prefix[prefix.size() - 2];
    return prefix[prefix.size() - 3] == '-' &&
           (verdict == 'A' || verdict == 'D' || verdict == 'R') &&
           prefix.find('-') < prefix.size() - 3;
}

void apply_prefix(std::string_view prefix, core::Event& out) {
    prefix = trim(prefix);
    if (looks_ubiquiti(prefix)) {
        // [<rule set>-<rule number|default>-<A|D|R>]; the rule set may itself hold dashes.
        std::string_view inner = prefix.substr(1, prefix.size() - 4);
        char verdict = prefix[prefix.size() - 2];
        std::size_t dash = inner.rfind('-');
        out.observer_vendor.assign("Ubiquiti");
        out.observer_product.assign("EdgeOS");
        out.action = verdict == 'A'   ? core::Action::kAllow
                     : verdict == 'D' ? core::Action::kDrop
                                      : core::Action::kReject;
        if (dash != std::string_view::npos) {
            out.rule_name.assign(inner.substr(0, dash));
            out.rule_id.assign(inner.substr(dash + 1));
        } else {
            out.rule_name.assign(inner);
        }
        return;
    }
    while (!prefix.empty() && (prefix.back() == ':' || prefix.back() == ' ')) {
        prefix.remove_suffix(1);
    }
    if (prefix.size() >= 2 && prefix.front() == '[' && prefix.back() == ']') {
        prefix = trim(prefix.substr(1, prefix.size() - 2));
    }
    if (prefix.empty()) {
        return;
    }
    if (prefix.starts_with("UFW ")) {
        out.observer_product.assign("UFW");
    }
    set_action_from_words(prefix, out);
    if (out.rule_name.empty()) {
        out.rule_name.assign(prefix.substr(0, kMaxRuleName));
    }
}

bool is_proxmox(std::string_view line) {
    if (line.empty() || !is_digit(line.front())) {
        return false;
    }
    Cursor c(line);
    std::string_view vmid = c.token(' ');
    std::string_view level = c.token(' ');
    std::string_view chain = c.token(' ');
    std::string_view stamp = c.token(' ');
    return all_digits(vmid) && all_digits(level) && !chain.empty() && stamp.size() == 20 &&
           stamp[2] == '/' && stamp[6] == '/' && stamp[11] == ':';
}

core::Result<std::string_view> read_proxmox(std::string_view line, core::Event& out) {
    Cursor c(line);
    c.token(' ');  // VM id (0 = the host)
    c.token(' ');  // log level
    std::string_view chain = c.token(' ');
    std::size_t stamp_at = c.pos();
    std::string_view stamp = c.token(' ');
    std::string_view zone = c.token(' ');
    auto wall = read_clf_stamp(stamp);
    if (!wall) {
        return core::fail(core::Error::parse("malformed Proxmox time stamp", "time", stamp_at));
    }
    auto offset = read_offset(zone);
    if (!offset) {
        return core::fail(
            core::Error::parse("malformed Proxmox time zone", "time", stamp_at + stamp.size() + 1));
    }
    out.time_ns = *wall - *offset * core::kNanosPerSecond;
    out.observer_vendor.assign("Proxmox");
    out.observer_product.assign("VE Firewall");
    out.rule_ruleset.assign(chain);
    std::string_view rest = c.rest();
    // The prefix here is only the verdict ("policy DROP:", "ACCEPT:", "PVEFW-reject:").
    std::size_t in = rest.find("IN=");
    std::size_t out_at = rest.find("OUT=");
    std::size_t first = in < out_at ? in : out_at;
    if (first != std::string_view::npos && first > 0) {
        set_action_from_words(rest.substr(0, first), out);
        rest.remove_prefix(first);
    }
    return rest;
}

}  // namespace cyberalarm::parse::formats::iptables_detail
