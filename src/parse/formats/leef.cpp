// IBM Log Event Extended Format (generic), 1.0 and 2.0.
//
//   LEEF:1.0|Vendor|Product|Version|EventID|key=value<TAB>key=value…
//   LEEF:2.0|Vendor|Product|Version|EventID|DelimiterCharacter|key=value<delim>…
//
// The 2.0 delimiter is one character or its hex code ("^", "x09", "0x5E"). When the
// delimiter does not occur, keys are read CEF-style (a value runs until the next " key=").
#include <array>

#include "parse/cef_reader.h"
#include "parse/formats/formats.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats {

namespace {

std::size_t header_start(std::string_view c) {
    std::size_t p = c.find("LEEF:");
    return p != std::string_view::npos && p < 256 ? p + 5 : std::string_view::npos;
}

int probe(const SyslogMessage& msg) {
    std::size_t p = header_start(msg.content);
    if (p == std::string_view::npos) {
        return 0;
    }
    std::string_view v = msg.content.substr(p, 4);
    return v.starts_with("1.0|") || v.starts_with("2.0|") || v.starts_with("1|") ||
                   v.starts_with("2|")
               ? 50
               : 0;
}

struct Extra {
    std::string_view action;
    std::string_view user;
    std::string_view dev_time;
    std::string_view cat;
    std::string_view sev;
    std::string_view bad;
};

void apply_key(std::string_view key, std::string_view value, core::Event& out, Extra& x) {
    if (cef::apply_network(key, value, out, x.bad)) {
        return;
    }
    if (key == "action" || key == "act") {
        x.action = value;
    } else if (key == "usrName" || key == "suser") {
        x.user = value;
    } else if (key == "devTime") {
        x.dev_time = value;
    } else if (key == "cat") {
        x.cat = value;
    } else if (key == "sev") {
        x.sev = value;
    } else if (key == "policy" || key == "rule" || key == "ruleName" || key == "policyName") {
        cef::assign_unescaped(value, out.rule_name);
    } else if (key == "ruleId" || key == "policyId") {
        out.rule_id.assign(value);
    } else if (key == "application" || key == "app") {
        cef::assign_unescaped(value, out.app_protocol);
    }
}

void read_extension(std::string_view ext, char delim, core::Event& out, Extra& x) {
    cef::LeefReader reader(ext, delim);
    std::string_view key;
    std::string_view value;
    while (reader.next(key, value)) {
        apply_key(key, value, out, x);
    }
}

void classify(const Extra& x, std::string_view event_id, const ParseContext& ctx,
              core::Event& out) {
    out.action = action_from_word(x.action);
    if (out.action == core::Action::kUnknown) {
        out.action = action_from_word(event_id);
    }
    if (!x.sev.empty()) {
        out.severity = cef::severity_of(x.sev);
    }
    if (!x.user.empty()) {
        out.user_hash = hash_identity(ctx, x.user);
    }
    auto has = [&x](std::string_view w) { return icontains(x.cat, w); };
    if (has("intrusion") || has("ids") || has("ips") || has("threat")) {
        out.category = core::Category::kIds;
        if (out.action == core::Action::kUnknown) {
            out.action = core::Action::kAlert;
        }
    } else if (has("auth") || has("login") || has("logon")) {
        out.category = core::Category::kAuth;
        if (has("fail")) {
            out.outcome = core::Outcome::kFailure;
        } else if (has("success")) {
            out.outcome = core::Outcome::kSuccess;
        }
    } else if (has("virus") || has("malware")) {
        out.category = core::Category::kAv;
    } else if (has("spam")) {
        out.category = core::Category::kSpam;
    }
}

core::Result<Disposition> parse(const SyslogMessage& msg, const ParseContext& ctx,
                                core::Event& out) {
    apply_header(msg, ctx, "leef", out);
    std::size_t p = header_start(msg.content);
    if (p == std::string_view::npos) {
        return core::fail(core::Error::parse("no LEEF header", "", 0));
    }
    std::string_view s = msg.content.substr(p);
    bool v2 = s.starts_with("2");
    std::array<std::string_view, 6> h{};
    std::string_view ext;
    std::size_t want = v2 ? 6 : 5;
    if (cef::split_header(s, std::span(h.data(), want), ext) < want) {
        // Some senders end the 1.0 header with the first tab instead of a pipe.
        std::string_view tail;
        if (v2 || cef::split_header(s, std::span(h.data(), 4), tail) < 4 ||
            tail.find('\t') == std::string_view::npos) {
            return core::fail(core::Error::parse("LEEF header too short", "header", p));
        }
        h[4] = tail.substr(0, tail.find('\t'));
        ext = tail.substr(h[4].size() + 1);
    }
    char delim = '\t';
    if (v2) {
        auto d = cef::leef_delimiter(h[5]);
        if (!d) {
            return core::fail(core::Error::parse("bad LEEF 2.0 delimiter", "delimiter", p));
        }
        delim = *d;
    }
    cef::assign_unescaped(h[1], out.observer_vendor);
    cef::assign_unescaped(h[2], out.observer_product);
    out.event_code.assign(h[4]);
    Extra x;
    read_extension(ext, delim, out, x);
    if (!x.bad.empty()) {
        return core::fail(core::Error::parse("not an IP address", x.bad, p));
    }
    if (auto t = cef::parse_device_time(x.dev_time, ctx.tz, ctx.reference_ns)) {
        out.time_ns = *t;
    }
    classify(x, h[4], ctx, out);
    return Disposition::kEvent;
}

}  // namespace

const Format& leef() {
    static const Format kFormat{"leef", "IBM LEEF 1.0 and 2.0 (generic envelope)", probe, parse};
    return kFormat;
}

}  // namespace cyberalarm::parse::formats
