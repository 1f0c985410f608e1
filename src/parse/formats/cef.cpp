// ArcSight Common Event Format (generic), including Ubiquiti UniFi's CEF export.
//
//   CEF:Version|Device Vendor|Device Product|Device Version|Signature ID|Name|Severity|Ext
//
// The header may follow a syslog header or stand alone; UniFi sometimes sends it without
// the "CEF:" marker ("0|Ubiquiti|UniFi Network|…"). Vendors with their own CEF dialect
// (Check Point, Forcepoint …) have their own, more confident, formats.
#include <array>

#include "parse/cef_reader.h"
#include "parse/formats/formats.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats {

namespace {

// Offset of the version in a CEF header near the start of the content, bare (no "CEF:"
// marker) or not; npos if there is none.
std::size_t header_start(std::string_view c, bool& bare) {
    cef::HeaderPos h = cef::locate_header(c, cef::kCefMarker);
    bare = h.bare();
    // A marker deep inside a line is some other format quoting CEF, not a CEF line.
    return h.found() && (bare || h.marker < 256) ? h.version : std::string_view::npos;
}

int count_pipes(std::string_view s) {
    int n = 0;
    for (char ch : s) {
        n += ch == '|' ? 1 : 0;
    }
    return n;
}

int probe(const SyslogMessage& msg) {
    bool bare = false;
    std::size_t p = header_start(msg.content, bare);
    if (p == std::string_view::npos) {
        return 0;
    }
    if (count_pipes(msg.content.substr(p, 512)) < 7) {
        return 0;
    }
    return bare ? 30 : 50;
}

// Per-line state the extension keys feed, applied after all keys are read.
struct Extra {
    std::string_view act;
    std::string_view outcome;
    std::string_view user;
    std::string_view rt;
    std::string_view start;
    std::string_view end;
    std::string_view cat;
    std::string_view unifi_category;
    std::string_view unifi_subcategory;
    std::string_view bad;  // key of an address that did not parse
};

// UniFi (UNIFI*) keys that carry metadata; the rest (client aliases, MACs, messages) are
// dropped.
void apply_unifi(std::string_view key, std::string_view value, core::Event& out, Extra& x) {
    if (key == "UNIFIipsSignatureId") {
        out.rule_id.assign(value);
    } else if (key == "UNIFIipsSignature") {
        cef::assign_unescaped(value, out.rule_name);
    } else if (key == "UNIFIpolicyName") {
        cef::assign_unescaped(value, out.rule_ruleset);
    } else if (key == "UNIFIdeviceName") {
        cef::assign_unescaped(value, out.observer_name);
    } else if (key == "UNIFIutcTime") {
        x.rt = value;
    } else if (key == "UNIFIcategory") {
        x.unifi_category = value;
    } else if (key == "UNIFIsubCategory") {
        x.unifi_subcategory = value;
    } else if (key == "UNIFIadmin") {
        x.user = value;
    } else if (key == "UNIFItotalBytes") {
        if (auto b = to_uint<std::uint64_t>(value)) {
            out.set_bytes(*b);
        }
    } else if (key == "UNIFItotalPackets") {
        if (auto n = to_uint<std::uint64_t>(value)) {
            out.set_packets(*n);
        }
    }
}

void apply_key(std::string_view key, std::string_view value, core::Event& out, Extra& x) {
    if (cef::apply_network(key, value, out, x.bad)) {
        return;
    }
    if (key == "act" || key == "deviceAction") {
        x.act = value;
    } else if (key == "outcome" || key == "eventOutcome") {
        x.outcome = value;
    } else if (key == "suser" || (key == "duser" && x.user.empty())) {
        x.user = value;
    } else if (key == "rt" || key == "deviceReceiptTime") {
        x.rt = x.rt.empty() ? value : x.rt;
    } else if (key == "start") {
        x.start = value;
    } else if (key == "end") {
        x.end = value;
    } else if (key == "cat") {
        x.cat = value;
    } else if (key == "app") {
        cef::assign_unescaped(value, out.app_protocol);
    } else if (key == "dvchost") {
        cef::assign_unescaped(value, out.observer_name);
    } else if (key == "deviceExternalId") {
        cef::assign_unescaped(value, out.observer_serial);
    } else if (key.starts_with("UNIFI")) {
        apply_unifi(key, value, out, x);
    }
}

void apply_outcome(const Extra& x, std::string_view name, core::Event& out) {
    if (iequals(x.outcome, "success") || iequals(x.outcome, "/Success")) {
        out.outcome = core::Outcome::kSuccess;
    } else if (iequals(x.outcome, "failure") || iequals(x.outcome, "/Failure")) {
        out.outcome = core::Outcome::kFailure;
    } else if (icontains(name, "fail")) {
        out.outcome = core::Outcome::kFailure;
    } else if (icontains(name, "accessed") || icontains(name, "logged in") ||
               icontains(name, "login success")) {
        out.outcome = core::Outcome::kSuccess;
    }
}

// Category and action from act, cat, the event name and UniFi's category.
void classify(const Extra& x, std::string_view name, const ParseContext& ctx, core::Event& out) {
    out.action = action_from_word(x.act);
    bool security = iequals(x.unifi_category, "Security") || icontains(x.cat, "intrusion") ||
                    icontains(x.cat, "ids") || icontains(x.cat, "ips") ||
                    icontains(x.unifi_subcategory, "Intrusion");
    bool admin = iequals(x.unifi_subcategory, "Admin") || icontains(x.cat, "auth") ||
                 icontains(name, "login") || icontains(name, "logon");
    if (!x.user.empty()) {
        out.user_hash = hash_identity(ctx, x.user);
    }
    if (security) {
        out.category = core::Category::kIds;
        if (out.action == core::Action::kUnknown) {
            out.action =
                icontains(name, "blocked") ? core::Action::kDeny : core::Action::kAlert;
        }
    } else if (admin || (!x.user.empty() && !x.outcome.empty())) {
        out.category = core::Category::kAuth;
        apply_outcome(x, name, out);
    } else if (icontains(x.cat, "virus") || icontains(x.cat, "malware")) {
        out.category = core::Category::kAv;
    }
}

void apply_times(const Extra& x, const ParseContext& ctx, core::Event& out) {
    if (auto t = cef::parse_device_time(x.rt, ctx.tz, ctx.reference_ns)) {
        out.time_ns = *t;
    }
    auto s = cef::parse_device_time(x.start, ctx.tz, ctx.reference_ns);
    auto e = cef::parse_device_time(x.end, ctx.tz, ctx.reference_ns);
    if (s && e && *e >= *s) {
        out.set_duration_ns(*e - *s);
    }
}

core::Result<Disposition> parse(const SyslogMessage& msg, const ParseContext& ctx,
                                core::Event& out) {
    apply_header(msg, ctx, "cef", out);
    bool bare = false;
    std::size_t p = header_start(msg.content, bare);
    if (p == std::string_view::npos) {
        return core::fail(core::Error::parse("no CEF header", "", 0));
    }
    std::array<std::string_view, 7> h{};
    std::string_view ext;
    if (cef::split_header(msg.content.substr(p), h, ext) < h.size()) {
        return core::fail(core::Error::parse("CEF header has fewer than 8 fields", "header", p));
    }
    cef::assign_unescaped(h[1], out.observer_vendor);
    cef::assign_unescaped(h[2], out.observer_product);
    cef::assign_unescaped(h[4], out.rule_id);
    out.event_code = out.rule_id;
    cef::assign_unescaped(h[5], out.rule_name);
    out.severity = cef::severity_of(h[6]);
    Extra x;
    cef::ExtReader reader(ext);
    std::string_view key;
    std::string_view value;
    while (reader.next(key, value)) {
        apply_key(key, value, out, x);
    }
    if (!x.bad.empty()) {
        return core::fail(core::Error::parse("not an IP address", x.bad, p));
    }
    apply_times(x, ctx, out);
    classify(x, h[5], ctx, out);
    return Disposition::kEvent;
}

}  // namespace

const Format& cef() {
    static const Format kFormat{"cef", "ArcSight CEF (generic envelope), incl. Ubiquiti UniFi",
                                probe, parse};
    return kFormat;
}

}  // namespace cyberalarm::parse::formats
