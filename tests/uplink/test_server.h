// A small HTTPS server speaking the collector ⇄ server protocol, for tests and benchmarks.
//
// It wraps ca_uplink's server-side pieces (BatchAcceptor: decode, dedupe, event decoding;
// EnrollmentAuthority: one-time tokens) in Boost.Beast over TLS on 127.0.0.1, exactly as
// docs/design/wire.md describes: one port; the client certificate is requested but not
// required at the handshake (a certificate that does not verify against the server's CA
// fails the handshake); /v1/batches answers 401 without one.
//
// The constructor makes a fresh CA and a server certificate for 127.0.0.1 and localhost and
// writes the CA to <dir>/ca.pem. Received events stay in memory across stop()/start(), as a
// real server's store would, so a test can restart the server on the same port.
//
// Setup failures throw std::runtime_error (this is test code). Thread safety: all members
// may be called from any thread; the server runs on its own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "uplink/enrollment.h"
#include "uplink/ingest.h"
#include "uplink/wire.h"

namespace cyberalarm::test {

struct UplinkTestServerOptions {
    std::filesystem::path dir;  // required: ca.pem is written here
    std::uint16_t port = 0;     // 0 = an ephemeral port, chosen at the first start()
    uplink::Limits limits;
    std::size_t max_body_bytes = 16u << 20;
    int client_cert_days = 30;
    // Benchmarks: decode and count events without keeping them (events() stays empty), so
    // the server's memory does not limit a run of millions.
    bool keep_events = true;
    // subjectAltNames of the server certificate (tests of host name checking change it).
    std::vector<std::string> server_names = {"127.0.0.1", "::1", "localhost"};
};

struct ReceivedEvent {
    std::string collector_id;
    core::Event event;
};

class UplinkTestServer {
public:
    explicit UplinkTestServer(UplinkTestServerOptions options);
    ~UplinkTestServer();
    UplinkTestServer(const UplinkTestServer&) = delete;
    UplinkTestServer& operator=(const UplinkTestServer&) = delete;

    // Listens and serves on a background thread. After a stop(), listens on the same port.
    void start();
    // Closes the listener and every connection. Idempotent.
    void stop();
    [[nodiscard]] bool running() const;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] std::string url() const;  // "https://127.0.0.1:<port>"
    [[nodiscard]] const std::filesystem::path& ca_file() const { return ca_file_; }
    [[nodiscard]] const std::string& ca_pem() const;

    // A new one-time token for `collector_id`, valid for `ttl`.
    std::string add_token(std::string_view collector_id,
                          std::chrono::seconds ttl = std::chrono::hours(1));
    void add_token(std::string_view token, std::string_view collector_id,
                   std::chrono::system_clock::time_point expires);
    // Writes <out_dir>/key.pem and cert.pem: a client certificate for `collector_id` signed by
    // this server's CA, as enrollment would (without a token).
    void issue_client_cert(std::string_view collector_id,
                           const std::filesystem::path& out_dir) const;

    // While set, /v1/batches answers 503 without looking at the body.
    void set_failing(bool failing) { failing_.store(failing); }
    // While set, batch answers claim this acked_through instead of the true one (the batch
    // is still stored): tests of how a client treats a server that says too much or little.
    void override_acked_through(std::optional<std::uint64_t> value) {
        std::lock_guard lock(mu_);
        ack_override_ = value;
    }

    [[nodiscard]] std::vector<ReceivedEvent> events() const;
    [[nodiscard]] std::size_t count() const;
    [[nodiscard]] uplink::IngestTotals totals() const { return acceptor_.totals(); }
    [[nodiscard]] std::uint64_t duplicates() const { return totals().duplicates; }
    [[nodiscard]] std::uint64_t gaps() const { return totals().gap_records; }
    [[nodiscard]] std::uint64_t high_water(std::string_view collector_id) const {
        return acceptor_.high_water(collector_id);
    }
    // HTTP requests answered, by status class: [2xx, 4xx, 5xx].
    [[nodiscard]] std::uint64_t responses(unsigned status_class) const;
    // Waits until at least `n` events have been received.
    [[nodiscard]] bool wait_for_count(std::size_t n, std::chrono::milliseconds timeout) const;

    class Impl;  // the Beast part, in test_server.cpp

private:
    friend class Impl;
    struct HttpAnswer {
        unsigned status;
        std::string body;
    };
    // The protocol, without HTTP: what to answer to a request (used by the sessions).
    HttpAnswer handle(std::string_view method, std::string_view target,
                      std::string_view content_type, std::string_view range_header,
                      std::string_view body, const std::string* collector_id, bool cert_presented);
    void count_response(unsigned status);

    UplinkTestServerOptions options_;
    std::filesystem::path ca_file_;
    std::unique_ptr<uplink::EnrollmentAuthority> authority_;
    std::string server_cert_pem_;
    std::optional<uplink::PrivateKey> server_key_;
    uplink::BatchAcceptor acceptor_;
    std::atomic<bool> failing_{false};
    std::uint16_t port_ = 0;

    mutable std::mutex mu_;
    mutable std::condition_variable cv_;
    std::vector<ReceivedEvent> events_;
    std::size_t received_ = 0;  // events stored or, without keep_events, counted
    std::optional<std::uint64_t> ack_override_;
    std::uint64_t responses_[6] = {};

    mutable std::mutex run_mu_;  // start/stop
    std::unique_ptr<Impl> impl_;
};

}  // namespace cyberalarm::test
