// Event blocks are read back from the database file, which someone with access to the disk
// may have changed: BlockView::parse must refuse or accept any bytes without over-reading,
// every event of an accepted block must decode or be refused (never crash), and the Bloom
// filter check must accept any bytes as a filter.
//
// Input: the bytes of a block body; the same bytes are also tried as a filter.
#include <cstdlib>
#include <string_view>

#include "fuzz_common.h"
#include "store/sqlite/internal/event_blocks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cyberalarm;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    store::EventQuery q;
    q.address = core::IpAddress::v4(0xC6336401u);
    q.port = 22;
    q.category = core::Category::kIds;
    q.action = core::Action::kDeny;
    (void)store::sqlite::filter_may_match(bytes, q);
    auto view = store::sqlite::BlockView::parse(bytes);
    if (!view) {
        if (view.error().code() != core::ErrorCode::kCorrupt) {
            std::abort();
        }
        return 0;
    }
    if (view->size() == 0 || view->size() > store::sqlite::kBlockEvents) {
        std::abort();
    }
    for (std::size_t i = 0; i < view->size(); ++i) {
        if (i > 0 && view->time(i) < view->time(i - 1)) {
            std::abort();  // parse promised ascending times
        }
        auto e = view->event(i);
        if (e && (e->time_ns != view->time(i) || !store::sqlite::event_matches(*e, store::EventQuery{}))) {
            std::abort();
        }
    }
    return 0;
}
