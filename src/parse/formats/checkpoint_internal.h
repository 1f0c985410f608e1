// Private to the checkpoint format: the field mapping shared by its three encodings.
#pragma once

#include <array>
#include <string_view>

#include "parse/formats/formats.h"

namespace cyberalarm::parse::formats::checkpoint_detail {

// Fields of one Check Point log as they are read; applied to the Event by finish().
struct Fields {
    std::string_view action, product, rule_name, rule_number, rule_uid, layer, ifname, ifdir;
    std::string_view user, sic_name, time, protection_name, protection_id, tp_rule;
    std::string_view severity;
    bool cef_direction_out = false;
};

// Applies one key/value pair whose meaning is the same in every encoding (src, dst, proto,
// s_port, service …); records the others in `f`. Returns false if the key is not known.
bool take(std::string_view key, std::string_view value, Fields& f, core::Event& out);
// Sets action, category, rule, interfaces, user hash and observer name from `f`.
void finish(const Fields& f, const ParseContext& ctx, core::Event& out);

}  // namespace cyberalarm::parse::formats::checkpoint_detail
