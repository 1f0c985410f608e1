// UDP answer decoders: the first byte picks the protocol, the next two the transaction id.
#include "fuzz_common.h"
#include "scan/udp.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cyberalarm::scan;
    if (size < 3) {
        return 0;
    }
    auto services = udp_probes();
    const UdpProbeSpec& spec = services[data[0] % services.size()];
    auto id = static_cast<std::uint16_t>(data[1] << 8 | data[2]);
    std::span<const std::uint8_t> answer(data + 3, size - 3);
    if (auto d = decode_udp_answer(spec.service, answer, id)) {
        if (d->bytes != answer.size()) {
            std::abort();
        }
    }
    return 0;
}
