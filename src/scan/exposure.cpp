// Exposure checks: services that should not answer strangers (databases and caches without
// authentication, anonymous FTP, Telnet, RDP, SMB, Docker's API), and known vulnerabilities
// of the identified product and version.
#include "scan/checks.h"
#include "scan/internal/channel.h"
#include "scan/internal/starttls.h"
#include "scan/probes.h"

namespace cyberalarm::scan {

using internal::AnswerLimits;
using internal::Millis;

namespace {

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

// Sends `request` on a fresh plain connection; the answer (after any greeting) or "".
std::string ask(const CheckContext& ctx, std::string_view request, bool greeting_first) {
    auto ch = internal::open_plain(ctx.service.address, ctx.service.port, ctx.options.timeout);
    if (!ch) {
        return {};
    }
    AnswerLimits limits{ctx.options.timeout, Millis(ctx.settings.idle_ms), 65536};
    if (greeting_first) {
        (void)internal::read_answer(**ch, limits);
    }
    return internal::exchange(**ch, request, limits);
}

std::string line_of(const std::string& text, std::string_view key) {
    std::size_t at = text.find(key);
    if (at == std::string::npos) {
        return {};
    }
    std::size_t end = text.find_first_of("\r\n", at);
    return text.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

void anonymous_ftp(const CheckContext& ctx, std::vector<Finding>& out) {
    auto ch = internal::open_plain(ctx.service.address, ctx.service.port, ctx.options.timeout);
    if (!ch) {
        return;
    }
    AnswerLimits limits{ctx.options.timeout, Millis(ctx.settings.idle_ms), 8192};
    (void)internal::read_answer(**ch, limits);
    std::string user = internal::exchange(**ch, "USER anonymous\r\n", limits);
    std::string pass;
    if (user.rfind("331", 0) == 0) {
        // The conventional anonymous password is a contact address: ours says who we are.
        pass = internal::exchange(**ch, "PASS " + ctx.options.ehlo_name + "@\r\n", limits);
    }
    (void)(*ch)->send("QUIT\r\n", limits.first);
    if (user.rfind("230", 0) == 0 || pass.rfind("230", 0) == 0) {
        out.push_back(make(ctx, "exposure.ftp_anonymous", core::Severity::kHigh,
                           "anonymous FTP login allowed",
                           "USER anonymous → " + printable(user, 40) + "; PASS → " + printable(pass, 60),
                           "Disable anonymous login (vsftpd: anonymous_enable=NO) unless the "
                           "files are meant to be public, and never allow anonymous writes."));
    }
}

void redis(const CheckContext& ctx, std::vector<Finding>& out) {
    std::string a = ctx.service.answer;
    if (a.find("redis_version:") == std::string::npos) {
        return;  // answered NOAUTH/DENIED: authentication or protected mode is on
    }
    out.push_back(make(ctx, "exposure.redis_noauth", core::Severity::kCritical,
                       "Redis answers without authentication",
                       "INFO answered: " + line_of(a, "redis_version:") + ", " + line_of(a, "os:"),
                       "Bind Redis to localhost or a private network, set requirepass or ACL "
                       "users, and keep protected-mode on."));
}

void memcached(const CheckContext& ctx, std::vector<Finding>& out) {
    std::string stats = ask(ctx, "stats\r\n", false);
    if (stats.find("STAT pid") == std::string::npos) {
        return;
    }
    out.push_back(make(ctx, "exposure.memcached_noauth", core::Severity::kHigh,
                       "memcached answers without authentication",
                       "stats answered: " + line_of(stats, "STAT version") + ", " +
                           line_of(stats, "STAT curr_items"),
                       "Bind memcached to localhost (-l 127.0.0.1), disable UDP (-U 0), or "
                       "enable SASL; never expose it to the internet."));
}

void mongodb(const CheckContext& ctx, std::vector<Finding>& out) {
    // OP_QUERY admin.$cmd {listDatabases: 1}.
    static const char kList[] =
        "\x3f\x00\x00\x00\x42\x43\x00\x00\x00\x00\x00\x00\xd4\x07\x00\x00\x00\x00\x00\x00"
        "admin.$cmd\x00\x00\x00\x00\x00\xff\xff\xff\xff\x18\x00\x00\x00\x10listDatabases\x00"
        "\x01\x00\x00\x00\x00";
    std::string a = ask(ctx, std::string_view(kList, sizeof kList - 1), false);
    if (a.find("totalSize") == std::string::npos) {
        return;
    }
    out.push_back(make(ctx, "exposure.mongodb_noauth", core::Severity::kCritical,
                       "MongoDB lists databases without authentication",
                       "listDatabases answered with " + std::to_string(a.size()) + " bytes",
                       "Enable authorization (security.authorization: enabled) and bind to "
                       "private addresses only."));
}

}  // namespace

std::vector<Finding> check_exposure(const CheckContext& ctx) {
    std::vector<Finding> out;
    const std::string& s = ctx.service.id.service;
    if (s == "ftp") {
        anonymous_ftp(ctx, out);
    } else if (s == "redis") {
        redis(ctx, out);
    } else if (s == "memcached") {
        memcached(ctx, out);
    } else if (s == "mongodb") {
        mongodb(ctx, out);
    } else if (s == "elasticsearch") {
        out.push_back(make(ctx, "exposure.elasticsearch_noauth", core::Severity::kCritical,
                           "Elasticsearch answers without authentication",
                           "GET / answered 200 with the cluster's name and version " +
                               ctx.service.id.version,
                           "Enable Elasticsearch security (xpack.security.enabled: true) and "
                           "keep the HTTP port off the internet."));
    } else if (s == "docker") {
        out.push_back(make(ctx, "exposure.docker_api", core::Severity::kCritical,
                           "Docker Engine API reachable without authentication",
                           "GET /version answered 200", "Never expose the Docker API without "
                           "mutual TLS; anyone who reaches it controls the host."));
    } else if (s == "telnet") {
        out.push_back(make(ctx, "exposure.telnet", core::Severity::kHigh, "Telnet reachable",
                           "the service opened with Telnet option negotiation",
                           "Disable Telnet; use SSH. Telnet sends passwords in clear text."));
    } else if (s == "rdp" || s == "smb") {
        out.push_back(make(ctx, s == "rdp" ? "exposure.rdp" : "exposure.smb", core::Severity::kHigh,
                           s == "rdp" ? "RDP reachable from the internet" : "SMB reachable from the internet",
                           "negotiation answered: " + printable(ctx.service.answer, 40),
                           "Put remote desktop and file sharing behind a VPN; they are the "
                           "most attacked services on the internet."));
    } else if (s == "postgresql" || s == "mysql") {
        out.push_back(make(ctx, "exposure.database", core::Severity::kMedium,
                           "database server reachable from the network",
                           "the " + (ctx.service.id.product.empty() ? s : ctx.service.id.product) +
                               " protocol answered: " + printable(ctx.service.answer, 60),
                           "Keep database ports on private networks; let applications reach "
                           "them through a firewall rule or a tunnel."));
    }
    return out;
}

std::vector<Finding> check_starttls_offered(const CheckContext& ctx, TlsEntry entry,
                                            bool& offered) {
    std::vector<Finding> out;
    std::string caps;
    auto r = internal::upgrade_offered(entry, ctx.service.address, ctx.service.port,
                                       ctx.options.ehlo_name, ctx.options.timeout, caps);
    offered = r && *r;
    if (r && !*r) {
        bool ftp = entry == TlsEntry::kFtp;
        out.push_back(make(ctx, ftp ? "exposure.ftp_cleartext" : "tls.starttls_missing",
                           core::Severity::kMedium,
                           ftp ? "FTP without TLS (AUTH TLS not offered)" : "STARTTLS not offered",
                           "capabilities: " + printable(caps, 160),
                           ftp ? "Offer FTPS (AUTH TLS) or replace FTP with SFTP."
                               : "Offer STARTTLS with a valid certificate so mail is encrypted in transit."));
    }
    return out;
}

std::vector<Finding> check_vulnerabilities(const CheckContext& ctx, const VulnDb& db) {
    std::vector<Finding> out;
    const Identity& id = ctx.service.id;
    if (id.version.empty() || (id.key.cpes.empty() && id.key.names.empty())) {
        return out;
    }
    for (const VulnMatch& m : db.match(id.key, id.version, id.distro)) {
        Finding f = base_finding(ctx);
        f.check = "cve";
        f.cve = m.record->id;
        f.cvss = m.record->cvss;
        f.severity = severity_from_cvss(m.record->cvss);
        f.confidence = std::string(to_string(m.confidence));
        f.title = m.record->id + " in " + id.product + " " + id.version;
        f.evidence = "service said: " + printable(ctx.service.answer, 80) + "; " + m.reason;
        std::string summary = m.record->summary.substr(0, 240);
        f.advice = "Update " + id.product + " to a release that fixes " + m.record->id +
                   (id.distro.name.empty() ? "" : " (or the " + id.distro.name + " package that carries the fix)") +
                   (summary.empty() ? "." : ". About it: " + summary);
        out.push_back(std::move(f));
    }
    return out;
}

}  // namespace cyberalarm::scan
