// The ECS JSON reader (used to replay stored events): any text gives an Event or an Error.
#include "core/ecs_json.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cyberalarm;
    auto e = core::from_ecs_json(std::string_view(reinterpret_cast<const char*>(data), size));
    if (e) {
        fuzz::check_event(*e);
    }
    return 0;
}
