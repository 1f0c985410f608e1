// Pure parsers for HTTP answers the scanner reads (no I/O): the response head, and what a
// body shows (directory listings and their links, default pages, exposed files). Total on
// any bytes (fuzz target fuzz_scan_http).
//
// Thread safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace cyberalarm::scan {

struct HttpResponse {
    int status = 0;
    std::string reason;
    std::map<std::string, std::string> headers;  // lower-case names; repeated ones joined ", "
    std::string body;                            // as received (chunked framing removed)

    [[nodiscard]] std::string header(const std::string& lower_name) const;
};

// kParse when the bytes do not start with an HTTP/1.x status line and a header block.
[[nodiscard]] core::Result<HttpResponse> parse_http_response(std::string_view bytes);

[[nodiscard]] bool is_directory_listing(std::string_view body);
[[nodiscard]] std::string listing_title(std::string_view body);
// href targets of a listing, relative ones only (no scheme, no leading '/', no '?').
[[nodiscard]] std::vector<std::string> listing_links(std::string_view body);
// "nginx welcome page", "Apache default page" … or "".
[[nodiscard]] std::string default_page_name(std::string_view body);
[[nodiscard]] bool looks_like_sha(std::string_view body);
// At least one KEY=value line and nothing that looks like HTML.
[[nodiscard]] bool looks_like_env(std::string_view body);
// "db-2023-01-01.sql", "site.tar.gz", "index.php.bak", "config~" …
[[nodiscard]] bool is_backup_name(std::string_view name);

}  // namespace cyberalarm::scan
