// The collector daemon: wires inputs → pipeline → spool → uplink, serves its status, and
// runs until SIGTERM or SIGINT.
//
// Start-up order matters for safety: keys are read (or made, 0600) and every socket is bound
// while still root; then the state directory is given to collector.user and the process
// drops to it (privileges.h) before a single byte from the network is read.
//
// Thread safety: run_collector() owns the process's signal handling; call it once, from
// main, before any other thread starts.
#pragma once

#include <atomic>
#include <string>

#include "collector/config.h"
#include "core/result.h"

namespace cyberalarm::collector {

// Runs until a signal (or *stop, when given, becomes true: tests). Returns the exit status.
core::Result<void> run_collector(const CollectorConfig& config,
                                 const std::atomic<bool>* stop = nullptr);

// The status document a running collector serves (JSON), rendered from live counters.
// Exposed for `cyberalarm-collector status`, which pretty-prints it.
std::string format_status_text(const std::string& status_json);

}  // namespace cyberalarm::collector
