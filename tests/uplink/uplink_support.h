// Helpers shared by the uplink integration tests: event records, a small spool, fast
// client options, and polling with a deadline.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "core/event_codec.h"
#include "spool/spool.h"
#include "uplink/client.h"
#include "uplink/test_server.h"

namespace cyberalarm::test {

// The encoded event number n: time_ns = n, so order and completeness can be checked.
inline std::string event_record(std::uint64_t n, std::string rule_name = {}) {
    core::Event e;
    e.time_ns = static_cast<std::int64_t>(n);
    e.format = "test";
    e.rule_id = std::to_string(n);
    e.rule_name = std::move(rule_name);
    std::string out;
    core::encode_event(e, out);
    return out;
}

inline std::unique_ptr<spool::Spool> open_spool(const std::filesystem::path& dir,
                                                spool::Options options = {}) {
    options.fsync = spool::FsyncPolicy::kNever;  // speed; durability is the spool's own test
    auto s = spool::Spool::open(dir, options);
    EXPECT_TRUE(s) << (s ? "" : s.error().to_string());
    return s ? std::move(*s) : nullptr;
}

inline void append_events(spool::Spool& spool, std::uint64_t from, std::uint64_t to) {
    for (std::uint64_t n = from; n <= to; ++n) {
        auto seq = spool.append(event_record(n));
        ASSERT_TRUE(seq) << seq.error().to_string();
    }
}

// Options for a client of `server` using the certificate in `client_dir`, with backoff and
// polling small enough for tests.
inline uplink::UplinkOptions fast_options(const UplinkTestServer& server,
                                          const std::filesystem::path& client_dir) {
    uplink::UplinkOptions o;
    o.server_url = server.url();
    o.ca_file = server.ca_file();
    o.cert_file = client_dir / "cert.pem";
    o.key_file = client_dir / "key.pem";
    o.max_batch_records = 64;
    o.backoff = {std::chrono::milliseconds(20), 2.0, std::chrono::milliseconds(200)};
    o.connect_timeout = std::chrono::seconds(5);
    o.io_timeout = std::chrono::seconds(5);
    o.poll_interval = std::chrono::milliseconds(20);
    o.jitter_seed = 1;
    return o;
}

inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return condition();
}

// Checks that the server holds exactly the events first..last, once each, in order.
inline void expect_exactly(const UplinkTestServer& server, std::uint64_t first, std::uint64_t last,
                           const std::string& collector) {
    auto events = server.events();
    ASSERT_EQ(events.size(), last - first + 1);
    for (std::size_t i = 0; i < events.size(); ++i) {
        ASSERT_EQ(events[i].event.time_ns, static_cast<std::int64_t>(first + i)) << "index " << i;
        ASSERT_EQ(events[i].collector_id, collector);
    }
}

}  // namespace cyberalarm::test
