// HTTP answer parsing, the HTTP checks against a loopback server, and ownership
// verification (HTTP file on loopback; DNS on a name under .invalid).
#include <gtest/gtest.h>

#include "loopback_server.h"
#include "scan/checks.h"
#include "scan/http_parse.h"
#include "scan/verify.h"

namespace cyberalarm::scan {
namespace {

using loopback::LoopbackServer;

TEST(HttpParse, HeadersBodyAndChunks) {
    auto r = parse_http_response(
        "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nX-A: 1\r\nx-a: 2\r\n"
        "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->header("server"), "nginx/1.22.1");
    EXPECT_EQ(r->header("x-a"), "1, 2");
    EXPECT_EQ(r->body, "hello world");
    EXPECT_FALSE(parse_http_response("SSH-2.0-x\r\n").has_value());
    EXPECT_FALSE(parse_http_response("HTTP/1.1 abc\r\n\r\n").has_value());
    EXPECT_TRUE(parse_http_response("HTTP/1.0 404 Not Found\r\n").has_value());
}

TEST(HttpParse, ListingsDefaultPagesAndFiles) {
    std::string listing = "<html><head><title>Index of /</title></head><body><pre>"
                          "<a href=\"../\">../</a><a href=\"backup/\">backup/</a>"
                          "<a href=\"http://x/\">x</a><a href=\"/abs\">a</a><a href=\"db.sql\">db.sql</a>";
    EXPECT_TRUE(is_directory_listing(listing));
    EXPECT_EQ(listing_links(listing), (std::vector<std::string>{"backup/", "db.sql"}));
    EXPECT_EQ(default_page_name("<h1>Welcome to nginx!</h1>"), "nginx welcome page");
    EXPECT_TRUE(looks_like_sha("0123456789abcdef0123456789abcdef01234567\n"));
    EXPECT_TRUE(looks_like_env("# c\nAPP_KEY=base64:abc\n"));
    EXPECT_FALSE(looks_like_env("<html>APP_KEY=x</html>"));
    for (const char* yes : {"db-2023-01-01.sql", "site.tar.gz", "index.php.bak", "config~", "x.ZIP"}) {
        EXPECT_TRUE(is_backup_name(yes)) << yes;
    }
    for (const char* no : {"readme.txt", "backup/", "index.html", "sql"}) {
        EXPECT_FALSE(is_backup_name(no)) << no;
    }
}

// A small web site with the classic mistakes, and a soft-404 variant.
std::string site(const std::string& req, bool soft404) {
    auto path = req.substr(4, req.find(' ', 4) - 4);
    auto page = [](const std::string& status, const std::string& body, const char* type = "text/html") {
        return "HTTP/1.1 " + status + "\r\nServer: Apache/2.4.62 (Debian)\r\nContent-Type: " + type +
               "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    };
    if (path == "/") {
        return page("200 OK", "<title>Index of /</title><a href=\"dumps/\">dumps/</a>");
    }
    if (path == "/dumps/") {
        return page("200 OK", "<title>Index of /dumps</title><a href=\"site.tar.gz\">site.tar.gz</a>");
    }
    if (path == "/.git/HEAD") {
        return page("200 OK", "ref: refs/heads/main\n", "text/plain");
    }
    if (path == "/.env") {
        return page("200 OK", "DB_PASSWORD=hunter2\n", "text/plain");
    }
    return soft404 ? page("200 OK", "<html>nothing here</html>") : page("404 Not Found", "no");
}

std::vector<Finding> http_findings(bool soft404) {
    LoopbackServer web([soft404](int fd) {
        std::string req = LoopbackServer::read_until(fd, "\r\n\r\n");
        if (req.size() > 4) {
            LoopbackServer::send_text(fd, site(req, soft404));
        }
    });
    ServiceInfo svc;
    svc.address = *core::IpAddress::parse("127.0.0.1");
    svc.port = web.port();
    svc.id.service = "http";
    CheckOptions o;
    ProbeSettings s;
    CheckContext ctx{svc, "127.0.0.1", o, s};
    return check_http(ctx);
}

bool has(const std::vector<Finding>& f, const char* check) {
    return std::any_of(f.begin(), f.end(), [&](const Finding& x) { return x.check == check; });
}

TEST(HttpChecks, FindsTheClassicMistakes) {
    auto f = http_findings(false);
    EXPECT_TRUE(has(f, "http.directory_listing"));
    EXPECT_TRUE(has(f, "http.git_exposed"));
    EXPECT_TRUE(has(f, "http.env_exposed"));
    EXPECT_TRUE(has(f, "http.backup_exposed"));  // found through the listing of /dumps/
    EXPECT_TRUE(has(f, "http.version_disclosure"));
    EXPECT_TRUE(has(f, "http.security_headers"));
    EXPECT_FALSE(has(f, "tls.hsts_missing"));  // plain HTTP: HSTS does not apply
    EXPECT_FALSE(has(f, "http.admin_panel"));
}

TEST(HttpChecks, SoftNotFoundIsNotAFinding) {
    auto f = http_findings(true);
    EXPECT_TRUE(has(f, "http.git_exposed"));  // content-confirmed
    EXPECT_FALSE(has(f, "http.admin_panel"));  // same page as a random path: not reported
}

store::Asset host_asset(const std::string& token) {
    store::Asset a;
    a.kind = store::AssetKind::kNetwork;
    a.value = "127.0.0.1/32";
    a.verify_token = token;
    return a;
}

TEST(VerifyOwnership, HttpFileWithTheToken) {
    const std::string token = "tok-0123456789abcdef";
    LoopbackServer web([&token](int fd) {
        std::string req = LoopbackServer::read_until(fd, "\r\n\r\n");
        if (req.rfind(std::string("GET ") + kVerifyPath + " ", 0) == 0) {
            LoopbackServer::send_text(fd, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(token.size() + 1) +
                                              "\r\n\r\n" + token + "\n");
        } else {
            LoopbackServer::send_text(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        }
    });
    VerifyOptions o;
    o.http_port = web.port();
    EXPECT_TRUE(verify_ownership(host_asset(token), o).has_value());
    EXPECT_EQ(method_for(host_asset(token)), "http-file");
    auto wrong = verify_ownership(host_asset("tok-ffffffffffffffff"), o);
    ASSERT_FALSE(wrong.has_value());
    EXPECT_EQ(wrong.error().code(), core::ErrorCode::kPermissionDenied);
    EXPECT_NE(wrong.error().message().find("127.0.0.1/32"), std::string::npos);
    EXPECT_FALSE(verify_ownership(host_asset("short"), o).has_value());
}

TEST(VerifyOwnership, RedirectsAreNotFollowedAndRangesNeedAnOperator) {
    LoopbackServer web([](int fd) {
        (void)LoopbackServer::read_until(fd, "\r\n\r\n");
        LoopbackServer::send_text(fd, "HTTP/1.1 302 Found\r\nLocation: http://elsewhere/\r\nContent-Length: 0\r\n\r\n");
    });
    VerifyOptions o;
    o.http_port = web.port();
    auto r = verify_ownership(host_asset("tok-0123456789abcdef"), o);
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message().find("302"), std::string::npos);
    store::Asset range = host_asset("tok-0123456789abcdef");
    range.value = "127.0.0.0/24";
    auto rr = verify_ownership(range, o);
    ASSERT_FALSE(rr.has_value());
    EXPECT_EQ(rr.error().code(), core::ErrorCode::kUnsupported);
}

TEST(VerifyOwnership, DnsTxtRefusesANameThatCannotExist) {
    // .invalid never resolves (RFC 6761); without a network the resolver fails instead. Either
    // way the answer is a refusal naming the domain, never success.
    store::Asset a;
    a.kind = store::AssetKind::kDomain;
    a.value = "cyberalarm-test.invalid";
    a.verify_token = "tok-0123456789abcdef";
    VerifyOptions o;
    o.timeout = std::chrono::milliseconds(1000);
    auto r = verify_ownership(a, o);
    ASSERT_FALSE(r.has_value());
    EXPECT_TRUE(r.error().code() == core::ErrorCode::kNotFound ||
                r.error().code() == core::ErrorCode::kUnavailable)
        << r.error().to_string();
    EXPECT_NE(r.error().message().find("cyberalarm-test.invalid"), std::string::npos);
    EXPECT_EQ(method_for(a), "dns-txt");
}

}  // namespace
}  // namespace cyberalarm::scan
