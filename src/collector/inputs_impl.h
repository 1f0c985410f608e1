// Internal: the constructors make_input() dispatches to, one per kind of input.
//
// Each takes a configuration that make_input() has already checked.
#pragma once

#include <memory>

#include "collector/inputs.h"

namespace cyberalarm::collector::detail {

std::unique_ptr<Input> make_udp_input(const InputConfig& config);
// TCP and TLS syslog (RFC 6587 / RFC 5425).
std::unique_ptr<Input> make_stream_input(const InputConfig& config);
std::unique_ptr<Input> make_relp_input(const InputConfig& config);
std::unique_ptr<Input> make_tail_input(const InputConfig& config);
std::unique_ptr<Input> make_stdin_input(const InputConfig& config);

}  // namespace cyberalarm::collector::detail
