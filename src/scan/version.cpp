#include "scan/version.h"

#include <cctype>
#include <cstddef>

namespace cyberalarm::scan {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// dpkg's character order inside a non-digit run: '~' first (before the end of the run),
// then the end, then letters, then everything else.
int order(std::string_view s, std::size_t i) {
    if (i >= s.size() || is_digit(s[i])) {
        return 0;
    }
    char c = s[i];
    if (c == '~') {
        return -1;
    }
    if (is_alpha(c)) {
        return static_cast<unsigned char>(c);
    }
    return static_cast<unsigned char>(c) + 256;
}

// dpkg's verrevcmp over one part (upstream or revision).
int compare_part(std::string_view a, std::string_view b) {
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < a.size() || j < b.size()) {
        while ((i < a.size() && !is_digit(a[i])) || (j < b.size() && !is_digit(b[j]))) {
            int oa = order(a, i);
            int ob = order(b, j);
            if (oa != ob) {
                return oa < ob ? -1 : 1;
            }
            ++i;
            ++j;
        }
        while (i < a.size() && a[i] == '0') {
            ++i;
        }
        while (j < b.size() && b[j] == '0') {
            ++j;
        }
        int first_diff = 0;
        while (i < a.size() && is_digit(a[i]) && j < b.size() && is_digit(b[j])) {
            if (first_diff == 0) {
                first_diff = a[i] - b[j];
            }
            ++i;
            ++j;
        }
        if (i < a.size() && is_digit(a[i])) {
            return 1;
        }
        if (j < b.size() && is_digit(b[j])) {
            return -1;
        }
        if (first_diff != 0) {
            return first_diff < 0 ? -1 : 1;
        }
    }
    return 0;
}

struct Parts {
    unsigned long epoch = 0;
    std::string_view upstream;
    std::string_view revision;
};

// Splits "epoch:upstream-revision". A leading run of digits before ':' is the epoch; the
// revision is after the last '-' only when the text is a Debian version (it has an epoch or
// a Debian-looking revision) — otherwise a hyphen is part of the upstream text.
Parts split(std::string_view v) {
    Parts p;
    std::size_t colon = v.find(':');
    if (colon != std::string_view::npos && colon > 0 && colon <= 9) {
        bool digits = true;
        for (std::size_t k = 0; k < colon; ++k) {
            digits = digits && is_digit(v[k]);
        }
        if (digits) {
            for (std::size_t k = 0; k < colon; ++k) {
                p.epoch = p.epoch * 10 + static_cast<unsigned long>(v[k] - '0');
            }
            v.remove_prefix(colon + 1);
        }
    }
    std::size_t dash = v.rfind('-');
    if (dash != std::string_view::npos) {
        p.upstream = v.substr(0, dash);
        p.revision = v.substr(dash + 1);
    } else {
        p.upstream = v;
    }
    return p;
}

}  // namespace

int compare_versions(std::string_view a, std::string_view b) {
    Parts pa = split(a);
    Parts pb = split(b);
    if (pa.epoch != pb.epoch) {
        return pa.epoch < pb.epoch ? -1 : 1;
    }
    if (int c = compare_part(pa.upstream, pb.upstream); c != 0) {
        return c;
    }
    return compare_part(pa.revision, pb.revision);
}

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

// "deb12u3" → "12"; "" when the revision names no Debian release.
std::string debian_release(std::string_view rev) {
    std::size_t at = rev.find("deb");
    if (at == std::string_view::npos) {
        return {};
    }
    std::string out;
    for (std::size_t k = at + 3; k < rev.size() && is_digit(rev[k]); ++k) {
        out.push_back(rev[k]);
    }
    return out;
}

}  // namespace

DistroInfo split_distro(std::string_view text) {
    DistroInfo info;
    std::string l = lower(text);
    // The revision is the token after the distribution name or after the version's '-'.
    std::size_t start = std::string::npos;
    if (std::size_t d = l.find("debian-"); d != std::string::npos) {
        info.name = "debian";
        start = d + 7;
    } else if (std::size_t u = l.find("ubuntu-"); u != std::string::npos) {
        info.name = "ubuntu";
        start = u + 7;
    }
    if (start == std::string::npos) {
        // "-0+deb12u1", "-1ubuntu0.3": a bare revision carrying the marker.
        std::size_t deb = l.find("+deb");
        std::size_t ubu = l.find("ubuntu");
        std::size_t mark = deb != std::string::npos ? deb : ubu;
        if (mark == std::string::npos) {
            return info;
        }
        info.name = deb != std::string::npos ? "debian" : "ubuntu";
        std::size_t dash = l.rfind('-', mark);
        start = dash == std::string::npos ? 0 : dash + 1;
    }
    std::size_t end = start;
    while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) &&
           text[end] != ')' && text[end] != ',' && text[end] != ';') {
        ++end;
    }
    info.revision = std::string(text.substr(start, end - start));
    if (info.name == "debian") {
        info.release = debian_release(info.revision);
    }
    return info;
}

}  // namespace cyberalarm::scan
