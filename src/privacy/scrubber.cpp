#include "privacy/scrubber.h"

#include <array>

namespace cyberalarm::privacy {

namespace {

bool is_alpha(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(unsigned char c) {
    return c >= '0' && c <= '9';
}
bool is_alnum(unsigned char c) {
    return is_alpha(c) || is_digit(c);
}
bool is_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
unsigned char lower(unsigned char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c + ('a' - 'A')) : c;
}
unsigned char at(std::string_view s, std::size_t i) {
    return static_cast<unsigned char>(s[i]);
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not one.
std::size_t utf8_length(std::string_view s, std::size_t i) {
    unsigned char c = at(s, i);
    std::size_t n = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80;  // no overlong forms
        hi = c == 0xed ? 0x9f : 0xbf;  // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    if (i + n > s.size()) {
        return 0;
    }
    for (std::size_t k = 1; k < n; ++k) {
        unsigned char cc = at(s, i + k);
        if (cc < (k == 1 ? lo : 0x80) || cc > (k == 1 ? hi : 0xbf)) {
            return 0;
        }
    }
    return n;
}

bool looks_binary(std::string_view s, const ScrubOptions& o) {
    std::size_t run = 0;
    std::size_t total = 0;
    std::size_t i = 0;
    while (i < s.size()) {
        unsigned char c = at(s, i);
        bool bad = false;
        std::size_t step = 1;
        if (c < 0x80) {
            bad = (c < 0x20 && c != '\t') || c == 0x7f;
        } else if (std::size_t n = utf8_length(s, i); n != 0) {
            step = n;
        } else {
            bad = true;
        }
        run = bad ? run + 1 : 0;
        total += bad ? 1 : 0;
        if (run >= o.binary_run || total >= 2 * o.binary_run) {
            return true;
        }
        i += step;
    }
    return false;
}

bool email_local_char(unsigned char c) {
    return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
bool domain_char(unsigned char c) {
    return is_alnum(c) || c == '.' || c == '-';
}

// local@label.label.tld with an alphabetic TLD of two or more letters. "W32/Netsky@MM"
// (an AV family name) has no dot after the @ and passes.
bool looks_email(std::string_view s) {
    for (std::size_t at_pos = s.find('@'); at_pos != std::string_view::npos;
         at_pos = s.find('@', at_pos + 1)) {
        if (at_pos == 0 || !email_local_char(at(s, at_pos - 1))) {
            continue;
        }
        std::size_t end = at_pos + 1;
        while (end < s.size() && domain_char(at(s, end))) {
            ++end;
        }
        std::string_view domain = s.substr(at_pos + 1, end - at_pos - 1);
        while (!domain.empty() && (domain.back() == '.' || domain.back() == '-')) {
            domain.remove_suffix(1);
        }
        std::size_t dot = domain.rfind('.');
        if (dot == std::string_view::npos || dot == 0 || !is_alnum(at(domain, 0))) {
            continue;
        }
        std::string_view tld = domain.substr(dot + 1);
        bool alpha_tld = tld.size() >= 2;
        for (char c : tld) {
            alpha_tld = alpha_tld && is_alpha(static_cast<unsigned char>(c));
        }
        if (alpha_tld) {
            return true;
        }
    }
    return false;
}

bool is_token_end(unsigned char c) {
    return is_space(c) || c == '"' || c == '\'' || c == '<';
}

// scheme://authority followed by a path, query or fragment, or with user info (user@ or
// user:pass@) in the authority. A bare "http://host/" names a host, not content.
ScrubReason check_scheme_urls(std::string_view s) {
    for (std::size_t p = s.find("://"); p != std::string_view::npos; p = s.find("://", p + 1)) {
        std::size_t b = p;
        while (b > 0 && (is_alnum(at(s, b - 1)) || at(s, b - 1) == '+' || at(s, b - 1) == '.' ||
                         at(s, b - 1) == '-')) {
            --b;
        }
        if (p - b < 2 || !is_alpha(at(s, b))) {
            continue;
        }
        std::size_t a = p + 3;
        std::size_t e = a;
        while (e < s.size() && !is_token_end(at(s, e)) && s[e] != '/' && s[e] != '?' &&
               s[e] != '#') {
            ++e;
        }
        if (e == a) {
            continue;
        }
        if (s.substr(a, e - a).find('@') != std::string_view::npos) {
            return ScrubReason::kCredential;
        }
        if (e < s.size() && (s[e] == '?' || s[e] == '#')) {
            return ScrubReason::kUrl;
        }
        if (e + 1 < s.size() && s[e] == '/' && !is_token_end(at(s, e + 1))) {
            return ScrubReason::kUrl;
        }
    }
    return ScrubReason::kNone;
}

bool param_char(unsigned char c) {
    return is_alnum(c) || c == '_' || c == '.' || c == '-' || c == '[' || c == ']';
}

// A path with a query string: "/login.php?user=…", "index.cgi?id=7" after a '/'. One pass:
// `slash` says whether the current token has had a '/' yet.
bool looks_path_query(std::string_view s) {
    bool slash = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        unsigned char c = at(s, i);
        if (is_token_end(c)) {
            slash = false;
        } else if (c == '/') {
            slash = true;
        } else if (c == '?' && slash) {
            std::size_t n = i + 1;
            while (n < s.size() && param_char(at(s, n))) {
                ++n;
            }
            if (n > i + 1 && n + 1 < s.size() && s[n] == '=' && !is_space(at(s, n + 1)) &&
                s[n + 1] != '&') {
                return true;
            }
        }
    }
    return false;
}

struct CredentialKey {
    std::string_view name;
    bool colon;  // "key: value" counts too (not only "key=value")
};
// Lower case. A key must start at a word boundary, so "bypass=1" is not "pass=".
constexpr std::array<CredentialKey, 21> kCredentialKeys = {{
    {"password", true},   {"passwd", true},       {"pass", true},          {"pwd", true},
    {"passphrase", true}, {"secret", true},       {"token", true},         {"apikey", true},
    {"api_key", true},    {"access_token", true}, {"authorization", true}, {"cookie", true},
    {"user", false},      {"username", false},    {"userid", false},       {"user_id", false},
    {"login", false},     {"uname", false},       {"email", false},        {"mail", false},
    {"account", false},
}};

bool key_at(std::string_view s, std::size_t i, std::string_view key) {
    if (i + key.size() > s.size()) {
        return false;
    }
    for (std::size_t k = 0; k < key.size(); ++k) {
        if (lower(at(s, i + k)) != static_cast<unsigned char>(key[k])) {
            return false;
        }
    }
    return true;
}

bool looks_credential(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (!is_alpha(at(s, i)) || (i > 0 && is_alnum(at(s, i - 1)))) {
            continue;
        }
        for (const auto& key : kCredentialKeys) {
            if (!key_at(s, i, key.name)) {
                continue;
            }
            std::size_t j = i + key.name.size();
            while (j < s.size() && s[j] == ' ') {
                ++j;
            }
            if (j >= s.size() || !(s[j] == '=' || (key.colon && s[j] == ':'))) {
                continue;
            }
            ++j;
            while (j < s.size() && s[j] == ' ') {
                ++j;
            }
            if (j < s.size() && !is_space(at(s, j)) && s[j] != '&' && s[j] != ',' && s[j] != ';') {
                return true;
            }
        }
    }
    return false;
}

bool encoded_char(unsigned char c) {
    return is_alnum(c) || c == '+' || c == '/' || c == '-' || c == '_';
}

int char_class(unsigned char c) {
    return is_digit(c) ? 0 : (c >= 'a' && c <= 'z' ? 1 : 2);
}

bool looks_encoded(std::string_view s, const ScrubOptions& o) {
    std::size_t i = 0;
    while (i < s.size()) {
        if (!encoded_char(at(s, i))) {
            ++i;
            continue;
        }
        std::size_t start = i;
        std::size_t alnum = 0;
        std::size_t changes = 0;
        int last = -1;
        unsigned seen = 0;
        for (; i < s.size() && encoded_char(at(s, i)); ++i) {
            unsigned char c = at(s, i);
            if (!is_alnum(c)) {
                continue;
            }
            int cls = char_class(c);
            seen |= 1u << cls;
            changes += (last >= 0 && cls != last) ? 1 : 0;
            last = cls;
            ++alnum;
        }
        if (i - start >= o.encoded_run && seen == 7u && 2 * changes >= alnum) {
            return true;
        }
    }
    return false;
}

}  // namespace

std::string_view to_string(ScrubReason r) {
    switch (r) {
        case ScrubReason::kNone:
            return "none";
        case ScrubReason::kBinary:
            return "binary";
        case ScrubReason::kTooLong:
            return "too_long";
        case ScrubReason::kEmail:
            return "email";
        case ScrubReason::kUrl:
            return "url";
        case ScrubReason::kCredential:
            return "credential";
        case ScrubReason::kEncoded:
            return "encoded";
        case ScrubReason::kNotAHash:
            return "not_a_hash";
    }
    return "unknown";
}

ScrubReason classify(std::string_view value, const ScrubOptions& options) {
    if (value.empty()) {
        return ScrubReason::kNone;
    }
    if (looks_binary(value, options)) {
        return ScrubReason::kBinary;
    }
    if (value.size() > options.max_bytes) {
        return ScrubReason::kTooLong;
    }
    // URLs first: "http://user:pass@host/" is a credential, not an e-mail address.
    if (auto r = check_scheme_urls(value); r != ScrubReason::kNone) {
        return r;
    }
    if (value.find('@') != std::string_view::npos && looks_email(value)) {
        return ScrubReason::kEmail;
    }
    if (value.find('?') != std::string_view::npos && looks_path_query(value)) {
        return ScrubReason::kUrl;
    }
    if (value.find_first_of("=:") != std::string_view::npos && looks_credential(value)) {
        return ScrubReason::kCredential;
    }
    if (value.size() >= options.encoded_run && looks_encoded(value, options)) {
        return ScrubReason::kEncoded;
    }
    return ScrubReason::kNone;
}

ScrubReason classify_hash(std::string_view value) {
    if (value.starts_with("hash:")) {
        value.remove_prefix(5);
    }
    if (value.size() < 32 || value.size() > 128) {
        return ScrubReason::kNotAHash;
    }
    for (char c : value) {
        if (!is_digit(static_cast<unsigned char>(c)) && !(c >= 'a' && c <= 'f')) {
            return ScrubReason::kNotAHash;
        }
    }
    return ScrubReason::kNone;
}

}  // namespace cyberalarm::privacy
