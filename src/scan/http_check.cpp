// HTTP checks over plain HTTP or HTTPS: headers and disclosure on "/", directory listings,
// exposed repository/environment/backup files, default pages and admin interfaces. A random
// path is fetched first so that a site answering 200 to everything is not reported.
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "scan/checks.h"
#include "scan/http_parse.h"
#include "scan/internal/channel.h"

namespace cyberalarm::scan {

using internal::AnswerLimits;
using internal::Millis;

namespace {

class Fetcher {
public:
    explicit Fetcher(const CheckContext& ctx) : ctx_(ctx) {
        const core::IpAddress& ip = ctx.service.address;
        std::string h = ctx.service.host.empty()
                            ? (ip.is_v6() ? "[" + ip.to_string() + "]" : ip.to_string())
                            : ctx.service.host;
        host_ = h + ":" + std::to_string(ctx.service.port);
    }

    std::optional<HttpResponse> get(const std::string& path) {
        internal::TlsOffer offer;
        offer.sni = ctx_.service.host;
        auto ch = ctx_.service.tls
                      ? internal::open_tls(ctx_.service.address, ctx_.service.port, offer,
                                           ctx_.options.timeout)
                      : internal::open_plain(ctx_.service.address, ctx_.service.port,
                                             ctx_.options.timeout);
        if (!ch) {
            return std::nullopt;
        }
        std::string req = "GET " + path + " HTTP/1.1\r\nHost: " + host_ +
                          "\r\nUser-Agent: " + ctx_.options.user_agent +
                          "\r\nAccept: */*\r\nConnection: close\r\n\r\n";
        AnswerLimits limits{ctx_.options.timeout, Millis(ctx_.settings.idle_ms * 2), 256 * 1024};
        auto r = parse_http_response(internal::exchange(**ch, req, limits));
        if (!r) {
            return std::nullopt;
        }
        return *r;
    }

private:
    const CheckContext& ctx_;
    std::string host_;
};

std::string random_path() {
    unsigned char b[8];
    RAND_bytes(b, sizeof b);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "/cyberalarm-scan-";
    for (unsigned char c : b) {
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
    return out + ".txt";
}

Finding make(const CheckContext& ctx, const char* check, core::Severity sev, std::string title,
             std::string evidence, std::string advice) {
    Finding f = base_finding(ctx);
    f.check = check;
    f.severity = sev;
    f.title = std::move(title);
    f.evidence = std::move(evidence);
    f.advice = std::move(advice);
    return f;
}

void check_headers(const CheckContext& ctx, const HttpResponse& r, std::vector<Finding>& out) {
    std::string server = r.header("server");
    bool versioned = std::any_of(server.begin(), server.end(),
                                 [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    if (versioned || !r.header("x-powered-by").empty()) {
        std::string ev = server.empty() ? "" : "Server: " + server;
        if (!r.header("x-powered-by").empty()) {
            ev += (ev.empty() ? "" : "; ") + std::string("X-Powered-By: ") + r.header("x-powered-by");
        }
        out.push_back(make(ctx, "http.version_disclosure", core::Severity::kLow,
                           "server software version disclosed", ev,
                           "Hide version numbers (nginx: server_tokens off; Apache: ServerTokens Prod)."));
    }
    std::string missing;
    for (const char* h : {"x-content-type-options", "x-frame-options", "content-security-policy",
                          "referrer-policy"}) {
        if (r.header(h).empty()) {
            missing += (missing.empty() ? "" : ", ") + std::string(h);
        }
    }
    if (!missing.empty()) {
        out.push_back(make(ctx, "http.security_headers", core::Severity::kLow,
                           "security headers missing", "absent from GET /: " + missing,
                           "Send X-Content-Type-Options: nosniff, X-Frame-Options (or CSP "
                           "frame-ancestors), a Content-Security-Policy and a Referrer-Policy."));
    }
    if (ctx.service.tls) {
        std::string hsts = r.header("strict-transport-security");
        if (hsts.empty()) {
            out.push_back(make(ctx, "tls.hsts_missing", core::Severity::kMedium,
                               "HSTS not set", "no Strict-Transport-Security header on GET /",
                               "Send Strict-Transport-Security: max-age=31536000; includeSubDomains."));
        }
    }
}

void check_body(const CheckContext& ctx, const HttpResponse& r, std::vector<Finding>& out) {
    if (r.status == 200 && is_directory_listing(r.body)) {
        out.push_back(make(ctx, "http.directory_listing", core::Severity::kMedium,
                           "directory listing enabled", "GET / shows: " + listing_title(r.body),
                           "Turn off automatic indexes (nginx: autoindex off; Apache: Options -Indexes)."));
    }
    if (std::string page = default_page_name(r.body); r.status == 200 && !page.empty()) {
        out.push_back(make(ctx, "http.default_page", core::Severity::kLow, "default web server page",
                           "GET / shows the " + page,
                           "Replace the default page or disable the unused virtual host."));
    }
}

struct PathProbe {
    const char* path;
    const char* check;
    core::Severity severity;
    const char* title;
    const char* advice;
    bool (*confirms)(const HttpResponse&);
};

bool git_head(const HttpResponse& r) { return r.body.rfind("ref: ", 0) == 0 || looks_like_sha(r.body); }
bool git_config(const HttpResponse& r) { return r.body.find("[core]") != std::string::npos; }
bool env_file(const HttpResponse& r) { return looks_like_env(r.body); }
bool not_html(const HttpResponse& r) {
    return r.body.size() > 0 && r.header("content-type").find("text/html") == std::string::npos;
}
bool any_page(const HttpResponse& r) { return !r.body.empty() || r.status == 401; }
bool apache_status(const HttpResponse& r) { return r.body.find("Server Status") != std::string::npos; }

constexpr const char* kGitAdvice =
    "Remove the .git directory from the web root or deny /.git in the server configuration; "
    "rotate any secrets ever committed.";
constexpr const char* kBackupAdvice =
    "Remove backups and dumps from the web root; keep them outside what the server can serve.";
constexpr const char* kAdminAdvice =
    "Do not expose administration interfaces to the internet; restrict by address or VPN.";

const PathProbe kProbes[] = {
    {"/.git/HEAD", "http.git_exposed", core::Severity::kHigh, "Git repository exposed", kGitAdvice, git_head},
    {"/.git/config", "http.git_exposed", core::Severity::kHigh, "Git repository exposed", kGitAdvice, git_config},
    {"/.env", "http.env_exposed", core::Severity::kHigh, "environment file exposed",
     "Remove .env from the web root and rotate every secret in it.", env_file},
    {"/backup.sql", "http.backup_exposed", core::Severity::kHigh, "backup file exposed", kBackupAdvice, not_html},
    {"/backup.zip", "http.backup_exposed", core::Severity::kHigh, "backup file exposed", kBackupAdvice, not_html},
    {"/backup.tar.gz", "http.backup_exposed", core::Severity::kHigh, "backup file exposed", kBackupAdvice, not_html},
    {"/dump.sql", "http.backup_exposed", core::Severity::kHigh, "backup file exposed", kBackupAdvice, not_html},
    {"/db.sql", "http.backup_exposed", core::Severity::kHigh, "backup file exposed", kBackupAdvice, not_html},
    {"/wp-config.php.bak", "http.backup_exposed", core::Severity::kHigh, "backup file exposed", kBackupAdvice, not_html},
    {"/server-status", "http.admin_panel", core::Severity::kMedium, "server status page exposed", kAdminAdvice, apache_status},
    {"/phpmyadmin/", "http.admin_panel", core::Severity::kMedium, "admin interface reachable", kAdminAdvice, any_page},
    {"/wp-admin/", "http.admin_panel", core::Severity::kLow, "admin interface reachable", kAdminAdvice, any_page},
    {"/admin/", "http.admin_panel", core::Severity::kLow, "admin interface reachable", kAdminAdvice, any_page},
    {"/manager/html", "http.admin_panel", core::Severity::kMedium, "admin interface reachable", kAdminAdvice, any_page},
};

// Backup-looking files inside listed directories ("backup/", "dumps/"…), found by
// following the listing of "/".
void listed_backups(const CheckContext& ctx, Fetcher& fetch, const HttpResponse& root,
                    std::vector<Finding>& out) {
    std::vector<std::string> found;
    std::vector<std::string> dirs = {"/"};
    for (const std::string& link : listing_links(root.body)) {
        if (link.size() > 1 && link.back() == '/' && link.find("..") == std::string::npos &&
            link.find('/') == link.size() - 1) {
            dirs.push_back("/" + link);
        }
    }
    for (std::size_t d = 0; d < dirs.size() && d < 16; ++d) {
        std::optional<HttpResponse> page = d == 0 ? std::optional<HttpResponse>(root) : fetch.get(dirs[d]);
        if (!page || page->status != 200 || !is_directory_listing(page->body)) {
            continue;
        }
        for (const std::string& link : listing_links(page->body)) {
            if (is_backup_name(link)) {
                found.push_back(dirs[d] + link);
            }
        }
    }
    if (!found.empty()) {
        std::string ev;
        for (const std::string& f : found) {
            ev += (ev.empty() ? "listed: " : ", ") + f;
        }
        out.push_back(make(ctx, "http.backup_exposed", core::Severity::kHigh,
                           "backup file exposed", ev, kBackupAdvice));
    }
}

}  // namespace

std::vector<Finding> check_http(const CheckContext& ctx) {
    std::vector<Finding> out;
    Fetcher fetch(ctx);
    auto root = fetch.get("/");
    if (!root) {
        return out;
    }
    check_headers(ctx, *root, out);
    check_body(ctx, *root, out);
    auto miss = fetch.get(random_path());
    bool soft404 = miss && miss->status == 200;
    std::map<std::string, std::string> seen;  // check → evidence, one finding per check
    for (const PathProbe& p : kProbes) {
        auto r = fetch.get(p.path);
        bool hit = r && (r->status == 200 || (r->status == 401 && p.confirms == any_page)) &&
                   p.confirms(*r) && !(soft404 && r->body.size() == miss->body.size());
        if (!hit) {
            continue;
        }
        std::string ev = std::string(p.path) + " answered " + std::to_string(r->status) + ": " +
                         printable(r->body, 60);
        if (auto it = seen.find(p.check); it != seen.end() && p.check != std::string("http.admin_panel")) {
            for (Finding& f : out) {
                if (f.check == p.check) {
                    f.evidence += "; " + ev;
                }
            }
            continue;
        }
        seen[p.check] = ev;
        out.push_back(make(ctx, p.check, p.severity, p.title, ev, p.advice));
    }
    if (is_directory_listing(root->body) && seen.count("http.backup_exposed") == 0) {
        listed_backups(ctx, fetch, *root, out);
    }
    return out;
}

}  // namespace cyberalarm::scan
