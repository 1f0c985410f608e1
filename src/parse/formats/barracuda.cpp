// Barracuda CloudGen Firewall (NextGen / phion) syslog streaming: "<Level padded to 8> <box>
// <message>", e.g. "Info     fw01 Allow: LOUT|UDP|eth0|10.0.0.1|…" (firewall activity, pipe
// separated), "Security fw01 LOGIN ATTEMPT: Login from 1.2.3.4: Denied: …" (auth), event,
// config, watchdog and service messages. See docs/formats/barracuda.md.
#include <array>

#include "parse/formats/barracuda_msgs.h"
#include "parse/formats/formats.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats {

namespace {

// Severity words Barracuda pads to eight columns.
constexpr std::array<std::string_view, 9> kLevels = {
    "Info", "Warning", "Security", "Error", "Notice", "Debug", "Fatal", "Panic", "Critical"};

// Length of "<Level><spaces>" at the start of s (the message starts in column 9), or 0.
std::size_t level_prefix(std::string_view s, std::string_view& level) {
    for (auto w : kLevels) {
        if (s.size() > 9 && s.starts_with(w)) {
            std::size_t i = w.size();
            while (i < 9 && s[i] == ' ') {
                ++i;
            }
            if (i == 9 && s[8] == ' ' && s[9] != ' ') {
                level = w;
                return 9;
            }
        }
    }
    return 0;
}

// The Barracuda part of the line: from the level word on, wherever the relay put it.
std::string_view body_of(const SyslogMessage& msg, std::string_view& level) {
    for (std::string_view s : {msg.msg, msg.content, msg.raw}) {
        if (level_prefix(s, level) != 0) {
            return s;
        }
    }
    return {};
}

int probe(const SyslogMessage& msg) {
    std::string_view level;
    std::string_view s = body_of(msg, level);
    if (s.empty()) {
        return 0;
    }
    std::string_view rest = s.substr(9);
    rest = rest.substr(std::min(rest.size(), rest.find(' ') + 1));  // past the box name
    if (cuda::is_activity(rest) || rest.starts_with("LOGIN ATTEMPT:") ||
        rest.starts_with("phibs: ") || rest.starts_with("event: [") ||
        rest.starts_with("firewall: ")) {
        return 85;
    }
    return 45;
}

core::Result<Disposition> parse(const SyslogMessage& msg, const ParseContext& ctx,
                                core::Event& out) {
    apply_header(msg, ctx, "barracuda", out);
    out.observer_vendor.assign("Barracuda");
    out.observer_product.assign("CloudGen Firewall");
    std::string_view level;
    std::string_view s = body_of(msg, level);
    if (s.empty()) {
        return core::fail(
            core::Error::parse("no Barracuda severity column (Info, Security …)", "level", 0));
    }
    Cursor c(s.substr(9));
    std::string_view box = c.token(' ');
    if (box.empty() || c.done()) {
        return core::fail(
            core::Error::parse("truncated after the box name", "box", msg.raw.size()));
    }
    if (ctx.observer.empty()) {
        out.observer_name.assign(box);
    }
    out.severity = severity_from_word(level);
    return cuda::parse_message(c.rest(), msg.raw, ctx, out);
}

}  // namespace

const Format& barracuda() {
    static const Format kFormat{
        "barracuda", "Barracuda CloudGen Firewall syslog (activity, auth, events)", probe, parse};
    return kFormat;
}

}  // namespace cyberalarm::parse::formats
