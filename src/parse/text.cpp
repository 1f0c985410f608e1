#include "parse/text.h"

#include <array>
#include <cctype>

namespace cyberalarm::parse {

namespace {

// Log vocabularies are ASCII; std::tolower would consult the locale on every byte.
char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

}  // namespace

std::string_view unquote(std::string_view s) {
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
        return s.substr(1, s.size() - 2);
    }
    return s;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' ||
                          s.front() == '\n')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' ||
                          s.back() == '\n')) {
        s.remove_suffix(1);
    }
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i])) {
            return false;
        }
    }
    return true;
}

bool icontains(std::string_view hay, std::string_view needle) {
    for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
        if (iequals(hay.substr(i, needle.size()), needle)) {
            return true;
        }
    }
    return false;
}

bool has_key(std::string_view s, std::string_view key, std::string_view before) {
    std::size_t p = s.find(key);
    while (p != std::string_view::npos) {
        if (p == 0 || before.find(s[p - 1]) != std::string_view::npos) {
            return true;
        }
        p = s.find(key, p + 1);
    }
    return false;
}

std::optional<std::int64_t> epoch_to_ns(std::string_view s) {
    s = unquote(s);
    if (s.empty() || s.size() > 19) {
        return std::nullopt;
    }
    auto v = to_uint<std::uint64_t>(s);
    if (!v || *v == 0) {
        return std::nullopt;
    }
    auto n = static_cast<std::int64_t>(*v);
    if (s.size() <= 10) {
        return n * 1'000'000'000;
    }
    if (s.size() <= 13) {
        return n * 1'000'000;
    }
    if (s.size() <= 16) {
        return n * 1'000;
    }
    return n;
}

namespace {

// The end of a syslog PRI ("<134>") at `at`, or `at` if there is none.
std::size_t skip_pri(std::string_view s, std::size_t at) {
    if (at >= s.size() || s[at] != '<') {
        return at;
    }
    std::size_t i = at + 1;
    while (i < s.size() && i <= at + 3 && s[i] >= '0' && s[i] <= '9') {
        ++i;
    }
    return i > at + 1 && i < s.size() && s[i] == '>' ? i + 1 : at;
}

}  // namespace

bool KvReader::next(std::string_view& key, std::string_view& value) {
    while (pos_ < s_.size()) {
        while (pos_ < s_.size() && (s_[pos_] == sep_ || s_[pos_] == ' ')) {
            ++pos_;
        }
        pos_ = skip_pri(s_, pos_);
        std::size_t key_start = pos_;
        while (pos_ < s_.size() && s_[pos_] != eq_ && s_[pos_] != sep_ && s_[pos_] != ' ') {
            ++pos_;
        }
        if (pos_ >= s_.size()) {
            return false;
        }
        if (s_[pos_] != eq_) {
            continue;  // a bare word: skip it
        }
        key = s_.substr(key_start, pos_ - key_start);
        ++pos_;
        if (pos_ < s_.size() && s_[pos_] == '"') {
            std::size_t start = ++pos_;
            while (pos_ < s_.size() && s_[pos_] != '"') {
                if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) {
                    ++pos_;
                }
                ++pos_;
            }
            value = s_.substr(start, pos_ - start);
            if (pos_ < s_.size()) {
                ++pos_;
            }
        } else {
            std::size_t start = pos_;
            while (pos_ < s_.size() && s_[pos_] != sep_) {
                ++pos_;
            }
            value = s_.substr(start, pos_ - start);
        }
        if (!key.empty()) {
            return true;
        }
    }
    return false;
}

std::size_t split_csv(std::string_view s, std::span<std::string_view> out, char sep) {
    std::size_t count = 0;
    std::size_t i = 0;
    while (true) {
        std::string_view field;
        if (i < s.size() && s[i] == '"') {
            std::size_t start = ++i;
            while (i < s.size()) {
                if (s[i] == '"') {
                    if (i + 1 < s.size() && s[i + 1] == '"') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                ++i;
            }
            field = s.substr(start, i - start);
            if (i < s.size()) {
                ++i;  // closing quote
            }
            while (i < s.size() && s[i] != sep) {
                ++i;  // junk after a closing quote belongs to no field
            }
        } else {
            std::size_t start = i;
            while (i < s.size() && s[i] != sep) {
                ++i;
            }
            field = s.substr(start, i - start);
        }
        if (count < out.size()) {
            out[count] = field;
        }
        ++count;
        if (i >= s.size()) {
            break;
        }
        ++i;  // separator
    }
    return count;
}

namespace {

template <std::size_t N>
bool any_of_words(std::string_view w, const std::array<std::string_view, N>& words) {
    for (auto x : words) {
        if (iequals(w, x)) {
            return true;
        }
    }
    return false;
}

}  // namespace

core::Action action_from_word(std::string_view w) {
    using core::Action;
    static constexpr std::array<std::string_view, 11> kAllow = {
        "allow", "accept", "accepted", "pass", "passed", "permit", "permitted", "allowed",
        "built", "close", "passthrough"};
    static constexpr std::array<std::string_view, 6> kDeny = {"deny",    "denied",  "block",
                                                              "blocked", "refused", "blocking"};
    static constexpr std::array<std::string_view, 6> kDrop = {"drop",     "dropped", "discard",
                                                              "discarded", "drop-all", "drop-packet"};
    static constexpr std::array<std::string_view, 7> kReject = {
        "reject", "rejected", "reset", "reset-both", "reset-client", "reset-server", "refuse"};
    static constexpr std::array<std::string_view, 4> kAlert = {"alert", "detect", "detected",
                                                               "alerted"};
    if (any_of_words(w, kAllow)) return Action::kAllow;
    if (any_of_words(w, kDeny)) return Action::kDeny;
    if (any_of_words(w, kDrop)) return Action::kDrop;
    if (any_of_words(w, kReject)) return Action::kReject;
    if (any_of_words(w, kAlert)) return Action::kAlert;
    return Action::kUnknown;
}

core::Severity severity_from_priority(std::int64_t p) {
    switch (p) {
        case 1:
            return core::Severity::kHigh;
        case 2:
            return core::Severity::kMedium;
        case 3:
            return core::Severity::kLow;
        default:
            return p >= 4 ? core::Severity::kInfo : core::Severity::kUnknown;
    }
}

core::Severity severity_from_word(std::string_view w) {
    using core::Severity;
    static constexpr std::array<std::string_view, 4> kCritical = {"critical", "crit", "emergency",
                                                                  "emerg"};
    static constexpr std::array<std::string_view, 4> kHigh = {"high", "alert", "error", "err"};
    static constexpr std::array<std::string_view, 4> kMedium = {"medium", "warning", "warn",
                                                                "moderate"};
    static constexpr std::array<std::string_view, 2> kLow = {"low", "notice"};
    static constexpr std::array<std::string_view, 4> kInfo = {"info", "informational",
                                                              "information", "debug"};
    if (any_of_words(w, kCritical)) return Severity::kCritical;
    if (any_of_words(w, kHigh)) return Severity::kHigh;
    if (any_of_words(w, kMedium)) return Severity::kMedium;
    if (any_of_words(w, kLow)) return Severity::kLow;
    if (any_of_words(w, kInfo)) return Severity::kInfo;
    return Severity::kUnknown;
}

}  // namespace cyberalarm::parse
