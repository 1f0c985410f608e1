// The JSON message parsers of the uplink protocol (the server's parse of an enrollment
// request, the collector's parse of the server's answers) must refuse or accept any bytes
// without throwing; whatever they accept must serialise and parse back to the same value.
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "fuzz_common.h"
#include "uplink/messages.h"

namespace {

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "fuzz_wire_json: %s\n", what);
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cyberalarm::uplink;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto req = parse_enroll_request(text)) {
        auto back = parse_enroll_request(to_json(*req));
        if (!back || back->token != req->token || back->csr_pem != req->csr_pem) {
            die("enroll request does not round-trip");
        }
    }
    if (auto ack = parse_batch_ack(text)) {
        auto back = parse_batch_ack(to_json(*ack));
        if (!back || back->acked_through != ack->acked_through || back->stored != ack->stored ||
            back->duplicates != ack->duplicates || back->gap != ack->gap ||
            back->malformed != ack->malformed) {
            die("batch ack does not round-trip");
        }
    }
    if (auto res = parse_enroll_response(text)) {
        if (!valid_collector_id(res->collector_id)) {
            die("enroll response accepted an unsafe collector id");
        }
        auto back = parse_enroll_response(to_json(*res));
        if (!back || back->collector_id != res->collector_id ||
            back->certificate_pem != res->certificate_pem || back->ca_pem != res->ca_pem) {
            die("enroll response does not round-trip");
        }
    }
    if (parse_error_message(text).size() > 200) {
        die("error message not cut");
    }
    return 0;
}
