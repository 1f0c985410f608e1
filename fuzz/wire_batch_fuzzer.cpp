// The batch decoder must refuse or accept any bytes without over-reading or allocating past
// its limits; whatever it accepts must re-encode to a body that decodes to the same records,
// and the server-side acceptor must take it without crashing. Decoded records that are
// events go through the shared event checks.
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "core/event_codec.h"
#include "fuzz_common.h"
#include "uplink/ingest.h"
#include "uplink/wire.h"

namespace {

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "fuzz_wire_batch: %s\n", what);
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cyberalarm;
    std::string_view body(reinterpret_cast<const char*>(data), size);
    uplink::Limits limits;
    limits.max_uncompressed_bytes = 4u << 20;  // keeps each run fast; the logic is the same
    auto batch = uplink::decode_batch(body, limits);
    if (!batch) {
        return 0;
    }
    if (batch->size() == 0 || batch->first_seq() == 0 || batch->last_seq() < batch->first_seq() ||
        batch->payload_bytes() > limits.max_uncompressed_bytes) {
        die("accepted batch breaks an invariant");
    }
    std::vector<std::string> records;
    for (std::size_t i = 0; i < batch->size(); ++i) {
        std::string_view r = batch->record(i);
        if (r.size() > limits.max_record_bytes) {
            die("record above the limit");
        }
        records.emplace_back(r);
        std::size_t used = 0;
        auto event = core::decode_event(std::as_bytes(std::span(r.data(), r.size())), &used);
        if (event && used == r.size()) {
            fuzz::check_event(*event);
        }
    }
    auto again = uplink::decode_batch(uplink::encode_batch(batch->first_seq(), records, 1), limits);
    if (!again || again->first_seq() != batch->first_seq() || again->size() != batch->size()) {
        die("accepted batch does not re-encode");
    }
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (again->record(i) != records[i]) {
            die("record changed in the round trip");
        }
    }
    uplink::BatchAcceptor acceptor(limits);
    auto ack = acceptor.accept("fuzz", body, std::nullopt, {});
    if (!ack || ack->acked_through != batch->last_seq() ||
        ack->stored + ack->malformed != batch->size()) {
        die("acceptor disagrees with the decoder");
    }
    return 0;
}
