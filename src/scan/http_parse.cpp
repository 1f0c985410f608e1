#include "scan/http_parse.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace cyberalarm::scan {

using core::Error;
using core::fail;

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
        s.remove_suffix(1);
    }
    return s;
}

// Removes chunked framing; on malformed framing keeps what decoded so far.
std::string dechunk(std::string_view body) {
    std::string out;
    while (!body.empty()) {
        std::size_t eol = body.find("\r\n");
        if (eol == std::string_view::npos) {
            break;
        }
        std::string_view size_text = body.substr(0, eol);
        if (std::size_t semi = size_text.find(';'); semi != std::string_view::npos) {
            size_text = size_text.substr(0, semi);
        }
        std::size_t size = 0;
        auto [p, ec] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
        if (ec != std::errc() || size == 0) {
            break;
        }
        body.remove_prefix(eol + 2);
        std::size_t take = std::min(size, body.size());
        out.append(body.substr(0, take));
        body.remove_prefix(take);
        if (body.substr(0, 2) == "\r\n") {
            body.remove_prefix(2);
        }
    }
    return out;
}

}  // namespace

std::string HttpResponse::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
}

core::Result<HttpResponse> parse_http_response(std::string_view bytes) {
    if (bytes.substr(0, 7) != "HTTP/1." || bytes.size() < 12) {
        return fail(Error::parse("not an HTTP/1.x response"));
    }
    std::size_t head_end = bytes.find("\r\n\r\n");
    std::size_t sep = 4;
    if (head_end == std::string_view::npos) {
        head_end = bytes.find("\n\n");
        sep = 2;
    }
    if (head_end == std::string_view::npos) {
        head_end = bytes.size();  // headers only, cut short: still worth reading
        sep = 0;
    }
    std::string_view head = bytes.substr(0, head_end);
    HttpResponse r;
    std::size_t eol = head.find('\n');
    std::string_view status_line = trim(head.substr(0, eol));
    if (status_line.size() < 12 || status_line[8] != ' ') {
        return fail(Error::parse("bad status line"));
    }
    auto [p, ec] = std::from_chars(status_line.data() + 9, status_line.data() + 12, r.status);
    if (ec != std::errc() || p != status_line.data() + 12 || r.status < 100 || r.status > 999) {
        return fail(Error::parse("bad status code"));
    }
    r.reason = std::string(trim(status_line.substr(12)));
    std::size_t pos = eol == std::string_view::npos ? head.size() : eol + 1;
    while (pos < head.size()) {
        std::size_t next = head.find('\n', pos);
        std::string_view line = head.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos);
        pos = next == std::string_view::npos ? head.size() : next + 1;
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) {
            continue;
        }
        std::string name = lower(trim(line.substr(0, colon)));
        std::string value(trim(line.substr(colon + 1)));
        auto [it, fresh] = r.headers.emplace(name, value);
        if (!fresh) {
            it->second += ", " + value;
        }
    }
    std::string_view body = bytes.substr(std::min(bytes.size(), head_end + sep));
    r.body = lower(r.header("transfer-encoding")).find("chunked") != std::string::npos
                 ? dechunk(body)
                 : std::string(body);
    return r;
}

bool is_directory_listing(std::string_view body) {
    std::string l = lower(body.substr(0, 4096));
    return l.find("<title>index of /") != std::string::npos ||
           l.find("<h1>index of /") != std::string::npos ||
           l.find("<title>directory listing for") != std::string::npos;
}

std::string listing_title(std::string_view body) {
    std::string l = lower(body.substr(0, 4096));
    std::size_t a = l.find("<title>");
    std::size_t b = l.find("</title>");
    if (a == std::string::npos || b == std::string::npos || b < a) {
        return "a directory index";
    }
    return std::string(body.substr(a + 7, std::min<std::size_t>(b - a - 7, 120)));
}

std::vector<std::string> listing_links(std::string_view body) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (out.size() < 500) {
        std::size_t at = body.find("href=\"", pos);
        if (at == std::string_view::npos) {
            break;
        }
        at += 6;
        std::size_t end = body.find('"', at);
        if (end == std::string_view::npos) {
            break;
        }
        std::string_view link = body.substr(at, end - at);
        pos = end + 1;
        if (link.empty() || link.size() > 255 || link.front() == '/' || link.front() == '?' ||
            link.find("://") != std::string_view::npos || link.find("..") != std::string_view::npos ||
            link.find_first_of("<>\r\n \t") != std::string_view::npos) {
            continue;
        }
        out.emplace_back(link);
    }
    return out;
}

std::string default_page_name(std::string_view body) {
    std::string l = lower(body.substr(0, 8192));
    if (l.find("welcome to nginx!") != std::string::npos) {
        return "nginx welcome page";
    }
    if (l.find("apache2 debian default page") != std::string::npos ||
        l.find("apache2 ubuntu default page") != std::string::npos) {
        return "Apache default page";
    }
    if (l.find("<title>iis windows server</title>") != std::string::npos) {
        return "IIS default page";
    }
    if (l.find("test page for the apache http server") != std::string::npos) {
        return "Apache test page";
    }
    return {};
}

bool looks_like_sha(std::string_view body) {
    std::string_view t = trim(body.substr(0, 41));
    return t.size() == 40 && std::all_of(t.begin(), t.end(), [](char c) {
               return std::isxdigit(static_cast<unsigned char>(c)) != 0;
           });
}

bool looks_like_env(std::string_view body) {
    std::string l = lower(body.substr(0, 4096));
    if (l.find("<html") != std::string::npos || l.find("<!doctype") != std::string::npos) {
        return false;
    }
    std::size_t pos = 0;
    while (pos < body.size() && pos < 4096) {
        std::size_t eol = body.find('\n', pos);
        std::string_view line = trim(body.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos));
        pos = eol == std::string_view::npos ? body.size() : eol + 1;
        std::size_t eq = line.find('=');
        if (eq == std::string_view::npos || eq == 0 || line.front() == '#') {
            continue;
        }
        std::string_view key = line.substr(0, eq);
        if (std::all_of(key.begin(), key.end(), [](char c) {
                return std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_';
            })) {
            return true;
        }
    }
    return false;
}

bool is_backup_name(std::string_view name) {
    std::string l = lower(name);
    if (l.empty() || l.back() == '/') {
        return false;
    }
    if (l.back() == '~') {
        return true;
    }
    for (const char* ext : {".sql", ".sql.gz", ".dump", ".bak", ".old", ".orig", ".tar", ".tar.gz",
                            ".tgz", ".zip", ".7z", ".rar", ".swp", ".sqlite", ".db"}) {
        std::string_view e(ext);
        if (l.size() > e.size() && l.compare(l.size() - e.size(), e.size(), e) == 0) {
            return true;
        }
    }
    return false;
}

}  // namespace cyberalarm::scan
