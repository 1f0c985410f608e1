#include "intel/internal/stix_pattern.h"

#include <cstddef>

namespace cyberalarm::intel::internal {

namespace {

constexpr std::size_t kMaxPattern = 64 * 1024;

enum class Tok : std::uint8_t { kOpen, kClose, kComma, kString, kTypedString, kWord, kOp, kEnd };

struct Token {
    Tok kind = Tok::kEnd;
    std::string text;
};

bool word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == ':' || c == '.' || c == '*';
}

// Splits a pattern into tokens; false on an unterminated string or a stray character.
bool tokenize(std::string_view p, std::vector<Token>& out) {
    std::size_t i = 0;
    while (i < p.size()) {
        char c = p[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            ++i;
        } else if (c == '[' || c == '(') {
            out.push_back({Tok::kOpen, std::string(1, c)});
            ++i;
        } else if (c == ']' || c == ')') {
            out.push_back({Tok::kClose, std::string(1, c)});
            ++i;
        } else if (c == ',') {
            out.push_back({Tok::kComma, ","});
            ++i;
        } else if (c == '\'') {
            Token t{Tok::kString, {}};
            ++i;
            bool closed = false;
            while (i < p.size()) {
                if (p[i] == '\\' && i + 1 < p.size()) {
                    t.text.push_back(p[i + 1]);
                    i += 2;
                } else if (p[i] == '\'') {
                    ++i;
                    closed = true;
                    break;
                } else {
                    t.text.push_back(p[i++]);
                }
            }
            if (!closed) {
                return false;
            }
            // A path may quote a key: file:hashes.'SHA-256' is one path, not a value.
            if (!out.empty() && out.back().kind == Tok::kWord && !out.back().text.empty() &&
                out.back().text.back() == '.') {
                out.back().text += t.text;
            } else {
                out.push_back(std::move(t));
            }
        } else if (c == '=' || c == '!' || c == '<' || c == '>') {
            std::size_t len = (i + 1 < p.size() && p[i + 1] == '=') ? 2 : 1;
            if (c == '!' && len == 1) {
                return false;
            }
            out.push_back({Tok::kOp, std::string(p.substr(i, len))});
            i += len;
        } else if (word_char(c)) {
            std::size_t start = i;
            while (i < p.size()) {
                if (word_char(p[i])) {
                    ++i;
                } else if (p[i] == '[' && i + 2 < p.size() && p[i + 2] == ']' &&
                           (p[i + 1] == '*' || (p[i + 1] >= '0' && p[i + 1] <= '9'))) {
                    i += 3;  // list index in a path: to_refs[*].value
                } else {
                    break;
                }
            }
            std::string_view w = p.substr(start, i - start);
            if ((w == "t" || w == "h" || w == "b64") && i < p.size() && p[i] == '\'') {
                std::size_t end = p.find('\'', i + 1);
                if (end == std::string_view::npos) {
                    return false;
                }
                out.push_back({Tok::kTypedString, std::string(p.substr(i + 1, end - i - 1))});
                i = end + 1;
            } else {
                out.push_back({Tok::kWord, std::string(w)});
            }
        } else {
            return false;
        }
    }
    return true;
}

bool object_of(std::string_view path, PatternValue::Object& obj) {
    if (path == "ipv4-addr:value") {
        obj = PatternValue::Object::kIpv4;
    } else if (path == "ipv6-addr:value") {
        obj = PatternValue::Object::kIpv6;
    } else if (path == "domain-name:value") {
        obj = PatternValue::Object::kDomain;
    } else if (path == "network-traffic:src_ref.value" || path == "network-traffic:dst_ref.value") {
        obj = PatternValue::Object::kAnyIp;
    } else {
        return false;
    }
    return true;
}

bool is_keyword(std::string_view w, std::string_view k) {
    if (w.size() != k.size()) {
        return false;
    }
    for (std::size_t i = 0; i < w.size(); ++i) {
        char c = w[i];
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 32);
        }
        if (c != k[i]) {
            return false;
        }
    }
    return true;
}

}  // namespace

PatternResult read_stix_pattern(std::string_view pattern) {
    PatternResult r;
    std::vector<Token> toks;
    if (pattern.size() > kMaxPattern || !tokenize(pattern, toks)) {
        r.rejected = true;
        r.skips.push_back({SkipReason::kBadValue, "pattern does not parse"});
        return r;
    }
    for (const auto& t : toks) {
        if (t.kind == Tok::kWord && (is_keyword(t.text, "AND") || is_keyword(t.text, "NOT") ||
                                     is_keyword(t.text, "FOLLOWEDBY"))) {
            r.rejected = true;
            r.skips.push_back({SkipReason::kUnsupportedPattern,
                               "pattern uses " + t.text + ", which one address cannot satisfy"});
            return r;
        }
    }
    auto reject = [&](std::string why) {
        r.values.clear();
        r.rejected = true;
        r.skips.push_back({SkipReason::kBadValue, std::move(why)});
        return r;
    };
    // Comparisons are "path op value"; brackets, OR and qualifiers (WITHIN, REPEATS, START,
    // STOP, which only narrow when a match counts) lie between them.
    std::size_t i = 0;
    while (i < toks.size()) {
        const Token& t = toks[i];
        bool next_is_op = i + 1 < toks.size() &&
                          (toks[i + 1].kind == Tok::kOp ||
                           (toks[i + 1].kind == Tok::kWord && !is_keyword(toks[i + 1].text, "OR") &&
                            toks[i + 1].text.find(':') == std::string::npos));
        if (t.kind != Tok::kWord || t.text.find(':') == std::string::npos || !next_is_op) {
            ++i;
            continue;
        }
        const std::string& path = t.text;
        std::string op = toks[i + 1].text;
        i += 2;
        std::vector<std::string> values;
        bool typed = false;
        if (i < toks.size() && (toks[i].kind == Tok::kString || toks[i].kind == Tok::kTypedString)) {
            typed = toks[i].kind == Tok::kTypedString;
            values.push_back(toks[i].text);
            ++i;
        } else if (i < toks.size() && toks[i].kind == Tok::kOpen && toks[i].text == "(") {
            ++i;
            while (i < toks.size() && !(toks[i].kind == Tok::kClose)) {
                if (toks[i].kind == Tok::kString) {
                    values.push_back(toks[i].text);
                } else if (toks[i].kind != Tok::kComma) {
                    typed = true;
                }
                ++i;
            }
            ++i;
        } else if (i < toks.size() && toks[i].kind == Tok::kWord) {
            ++i;  // a number or boolean constant: never an address
            typed = true;
        } else {
            return reject("comparison on " + path + " has no value");
        }
        PatternValue::Object obj{};
        if (!object_of(path, obj)) {
            r.skips.push_back({SkipReason::kUnsupportedType, "unsupported object path " + path});
            continue;
        }
        bool eq = op == "=" || is_keyword(op, "IN") || is_keyword(op, "ISSUBSET");
        if (!eq || typed) {
            r.skips.push_back({SkipReason::kUnsupportedPattern,
                               "unsupported comparison '" + op + "' on " + path});
            continue;
        }
        for (auto& v : values) {
            r.values.push_back({obj, std::move(v)});
        }
    }
    return r;
}

}  // namespace cyberalarm::intel::internal
