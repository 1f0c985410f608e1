// Helpers shared by the PAN-OS CSV, JSON and CEF readers.
#include <array>
#include <cctype>

#include "core/time.h"
#include "parse/formats/panos_internal.h"
#include "parse/text.h"

namespace cyberalarm::parse::formats::panos_detail {

namespace {

// Case-insensitive search for an ASCII needle.
std::size_t ifind(std::string_view hay, std::string_view needle, std::size_t from = 0) {
    if (needle.empty() || hay.size() < needle.size()) {
        return std::string_view::npos;
    }
    for (std::size_t i = from; i + needle.size() <= hay.size(); ++i) {
        std::size_t j = 0;
        while (j < needle.size() &&
               std::tolower(static_cast<unsigned char>(hay[i + j])) ==
                   std::tolower(static_cast<unsigned char>(needle[j]))) {
            ++j;
        }
        if (j == needle.size()) {
            return i;
        }
    }
    return std::string_view::npos;
}

bool is_addr_char(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
           c == '.' || c == ':';
}

// The address right after `at` ("1.2.3.4", "1.2.3.4:333", "'2001:db8::1'."), if any.
std::optional<core::IpAddress> address_at(std::string_view text, std::size_t at) {
    if (at < text.size() && text[at] == '\'') {
        ++at;
    }
    std::size_t end = at;
    while (end < text.size() && is_addr_char(text[end])) {
        ++end;
    }
    std::string_view tok = text.substr(at, end - at);
    std::size_t colon = tok.find(':');
    if (colon != std::string_view::npos && tok.find('.') != std::string_view::npos &&
        tok.find('.') < colon) {
        tok = tok.substr(0, colon);  // IPv4 with a port
    }
    while (!tok.empty() && (tok.back() == '.' || tok.back() == ':')) {
        tok.remove_suffix(1);
    }
    if (tok.size() < 2) {
        return std::nullopt;
    }
    return core::IpAddress::parse(tok);
}

// The first address that follows one of `keys` in `text`.
std::optional<core::IpAddress> address_after(std::string_view text,
                                             std::span<const std::string_view> keys) {
    for (auto key : keys) {
        std::size_t p = 0;
        for (int tries = 0; tries < 4; ++tries) {
            p = ifind(text, key, p);
            if (p == std::string_view::npos) {
                break;
            }
            p += key.size();
            if (auto ip = address_at(text, p)) {
                return ip;
            }
        }
    }
    return std::nullopt;
}

// The user a description names: "for user 'x'", "for user x.", "user x from", "User x logged".
std::string_view user_in(std::string_view text) {
    std::size_t p = ifind(text, "user ");
    if (p == std::string_view::npos) {
        return {};
    }
    p += 5;
    if (p < text.size() && text[p] == '\'') {
        std::size_t end = text.find('\'', p + 1);
        return end == std::string_view::npos ? std::string_view{} : text.substr(p + 1, end - p - 1);
    }
    std::size_t end = p;
    while (end < text.size() && text[end] != ' ' && text[end] != ',') {
        ++end;
    }
    std::string_view u = text.substr(p, end - p);
    while (!u.empty() && u.back() == '.') {
        u.remove_suffix(1);
    }
    return u;
}

core::Outcome outcome_of(std::string_view event_id, std::string_view text) {
    if (event_id == "auth-success" || event_id == "auth-login" ||
        ifind(text, "logged in via") != std::string_view::npos) {
        return core::Outcome::kSuccess;
    }
    if (event_id == "auth-fail" || ifind(text, "failed authentication") != std::string_view::npos ||
        ifind(text, "failed to authenticate") != std::string_view::npos ||
        ifind(text, "login failed") != std::string_view::npos) {
        return core::Outcome::kFailure;
    }
    if (ifind(text, "authenticated for user") != std::string_view::npos) {
        return core::Outcome::kSuccess;
    }
    return core::Outcome::kUnknown;
}

}  // namespace

core::Action action_from_pan(std::string_view w) {
    if (w.starts_with("drop")) {
        return core::Action::kDrop;  // drop, drop-icmp, drop-all-packets
    }
    if (w.starts_with("reset")) {
        return core::Action::kReject;
    }
    if (w.starts_with("block") || w == "sinkhole" || w == "deny") {
        return core::Action::kDeny;  // block-url, block-ip, block-continue, sinkhole
    }
    if (w == "continue" || w == "override") {
        return core::Action::kAllow;  // the user clicked through a response page
    }
    return action_from_word(w);
}

void set_type_category(std::string_view type, std::string_view subtype, core::Event& out) {
    if (type == "THREAT") {
        bool av = subtype == "virus" || subtype == "wildfire-virus" || subtype == "ml-virus";
        out.category = av ? core::Category::kAv : core::Category::kIds;
    } else if (type == "GLOBALPROTECT" || type == "AUTH" || type == "USERID") {
        out.category = core::Category::kAuth;
    } else {
        out.category = core::Category::kFirewall;
    }
}

void split_threat(std::string_view threat, std::string_view& name, std::string_view& id) {
    threat = trim(threat);
    name = threat;
    id = {};
    if (!threat.empty() && threat.back() == ')') {
        std::size_t open = threat.rfind('(');
        if (open != std::string_view::npos) {
            id = threat.substr(open + 1, threat.size() - open - 2);
            name = trim(threat.substr(0, open));
        }
    }
}

bool set_ip(std::string_view text, core::IpAddress& ip) {
    if (auto a = core::IpAddress::parse(trim(text))) {
        ip = *a;
        return true;
    }
    return false;
}

bool read_description(std::string_view event_id, std::string_view text, const ParseContext& ctx,
                      core::Event& out) {
    static constexpr std::array<std::string_view, 6> kSrcKeys = {
        "From: ", "from ", "initiated by: ", "initiated by ", "logged in via web from ", "ip "};
    static constexpr std::array<std::string_view, 3> kDstKeys = {"server address ", "server ",
                                                                 "IP: "};
    bool found = false;
    if (auto ip = address_after(text, kSrcKeys)) {
        out.src_ip = *ip;
        found = true;
    }
    if (auto ip = address_after(text, kDstKeys)) {
        out.dst_ip = *ip;
        found = true;
    }
    core::Outcome o = outcome_of(event_id, text);
    if (o != core::Outcome::kUnknown) {
        out.outcome = o;
        out.category = core::Category::kAuth;
        if (std::string_view user = user_in(text); !user.empty()) {
            out.user_hash = hash_identity(ctx, user);
        }
        found = true;
    }
    return found;
}

std::optional<std::int64_t> parse_pan_time(std::string_view s) {
    s = trim(s);
    Cursor c(s);
    std::string_view date = c.token(' ');
    std::string_view time = c.rest();
    Cursor d(date);
    auto a = to_uint<unsigned>(d.token('/'));
    auto b = to_uint<unsigned>(d.token('/'));
    std::string_view third = d.token('/');
    auto e = to_uint<unsigned>(third);
    if (!a || !b || !e || !d.done()) {
        return std::nullopt;
    }
    core::CivilTime t;
    if (date.find('/') == 4) {
        t.year = static_cast<int>(*a);
        t.month = static_cast<int>(*b);
        t.day = static_cast<int>(*e);
    } else {
        t.month = static_cast<int>(*a);
        t.day = static_cast<int>(*b);
        t.year = static_cast<int>(third.size() <= 2 ? 2000 + *e : *e);
    }
    Cursor tc(time);
    auto h = to_uint<unsigned>(tc.token(':'));
    auto m = to_uint<unsigned>(tc.token(':'));
    std::string_view sec = tc.token(':');
    auto sv = sec.empty() ? std::optional<unsigned>(0) : to_uint<unsigned>(sec);
    if (!h || !m || !sv || *h > 23 || *m > 59 || *sv > 60 || t.month < 1 || t.month > 12) {
        return std::nullopt;
    }
    t.hour = static_cast<int>(*h);
    t.minute = static_cast<int>(*m);
    t.second = static_cast<int>(*sv);
    return core::civil_to_ns(t);
}

void set_observer_name(std::string_view name, const ParseContext& ctx, core::Event& out) {
    name = trim(name);
    if (ctx.observer.empty() && !name.empty()) {
        out.observer_name = name;
    }
}

}  // namespace cyberalarm::parse::formats::panos_detail
