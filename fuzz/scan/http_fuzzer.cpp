// HTTP answers as the checks read them.
#include "fuzz_common.h"
#include "scan/http_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cyberalarm::scan;
    std::string_view s(reinterpret_cast<const char*>(data), size);
    auto r = parse_http_response(s);
    std::string_view body = r ? std::string_view(r->body) : s;
    (void)is_directory_listing(body);
    (void)listing_title(body);
    for (const std::string& link : listing_links(body)) {
        if (link.empty() || link.front() == '/' || link.find("..") != std::string::npos) {
            std::abort();  // only relative links inside the listing may be followed
        }
        (void)is_backup_name(link);
    }
    (void)default_page_name(body);
    (void)looks_like_sha(body);
    (void)looks_like_env(body);
    return 0;
}
