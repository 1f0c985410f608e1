// The collector's side of the protocol: the Uplink thread that drains the spool to the
// server, and enroll(), which obtains the collector's certificate.
//
// Uplink: reads records after the spool's acknowledged cursor, packs consecutive ones into
// batches (wire.h), POSTs each to /v1/batches over one kept-alive mutual-TLS connection and,
// when the server answers 200, acknowledges the spool through the server's acked_through.
// A record leaves the spool only after that. A failure (refused connection, TLS error,
// timeout, 5xx, a malformed answer) keeps the batch and retries it after an exponential
// backoff with full jitter (a uniform delay in [0, min(max, initial * factor^n)]), so a
// fleet of collectors does not return in step after an outage. Because the server
// deduplicates by sequence number, a retry of a batch it already stored is harmless.
// 413 (batch too large) halves the batch size for the retry, down to one record; each
// success then doubles it again, up to the configured maximum.
//
// Thread safety: create(), start(), stop() and the destructor from one owning thread;
// stats() and wait_acked() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "core/result.h"
#include "spool/spool.h"
#include "uplink/endpoint.h"

namespace cyberalarm::uplink {

namespace internal {
class HttpsClient;
}

struct Backoff {
    std::chrono::milliseconds initial{500};  // ceiling of the first retry's delay
    double factor = 2.0;                     // growth of the ceiling per failed attempt
    std::chrono::milliseconds max{60'000};   // the ceiling never exceeds this
};

// The delay ceiling after `attempt` consecutive failures (attempt 0 = the first retry).
[[nodiscard]] std::chrono::milliseconds backoff_ceiling(const Backoff& backoff, unsigned attempt);
// A delay drawn uniformly from [0, backoff_ceiling(backoff, attempt)] ("full jitter").
[[nodiscard]] std::chrono::milliseconds backoff_delay(const Backoff& backoff, unsigned attempt,
                                                      std::mt19937_64& rng);

struct UplinkOptions {
    std::string server_url;           // "https://host[:port]"
    std::filesystem::path ca_file;    // CA(s) that sign the server's certificate
    std::filesystem::path cert_file;  // this collector's certificate (from enroll)
    std::filesystem::path key_file;   // its private key
    // Batch bounds: records, and uncompressed record bytes (a single larger record is
    // still sent, alone). Both at least 1; the server's limits are 1M records, 64 MiB.
    std::size_t max_batch_records = 5000;
    std::size_t max_batch_bytes = 4u << 20;
    int zstd_level = 3;  // 1 (fast) to 19 (small); 3 packs events about 5:1
    std::chrono::milliseconds connect_timeout{10'000};  // each of resolve, connect, handshake
    std::chrono::milliseconds io_timeout{30'000};       // sending a batch, reading the answer
    Backoff backoff;
    // Longest single wait for new spool records; bounds how long stop() takes when idle.
    std::chrono::milliseconds poll_interval{200};
    // Seed of the jitter generator; 0 draws one from std::random_device.
    std::uint64_t jitter_seed = 0;
};

struct UplinkStats {
    std::uint64_t batches_sent = 0;       // batches the server acknowledged
    std::uint64_t events_sent = 0;        // records in them
    std::uint64_t bytes_sent = 0;         // their compressed bodies
    std::uint64_t retries = 0;            // attempts made again after a failure and backoff
    std::uint64_t errors = 0;             // failures of any kind (server, network, spool)
    std::uint64_t server_duplicates = 0;  // records the server reported as already stored
    std::string last_error;               // the last failure, for an administrator
    std::int64_t last_success_unix_ns = 0;
    std::uint64_t acked_seq = 0;  // the spool's acknowledged cursor
};

class Uplink {
public:
    // Checks the options and loads the TLS files (so a bad path fails here, not in the
    // thread). Does not connect. `spool` must outlive the Uplink.
    [[nodiscard]] static core::Result<std::unique_ptr<Uplink>> create(spool::Spool& spool,
                                                                      UplinkOptions options);
    ~Uplink();  // stop()
    Uplink(const Uplink&) = delete;
    Uplink& operator=(const Uplink&) = delete;

    // Starts the sending thread; no-op if running.
    void start();
    // Stops the thread within about poll_interval + 50 ms, abandoning any request in
    // flight (its batch stays in the spool and is sent again next time). Idempotent.
    void stop();

    [[nodiscard]] UplinkStats stats() const;
    // Waits until the spool is acknowledged through `seq` or the timeout passes.
    [[nodiscard]] bool wait_acked(std::uint64_t seq, std::chrono::milliseconds timeout) const;

private:
    struct Batch;
    Uplink(spool::Spool& spool, UplinkOptions options, Endpoint endpoint,
           std::unique_ptr<internal::HttpsClient> client);
    void run();
    core::Status send(Batch& batch, std::uint64_t& next_after);
    void note_failure(const core::Error& error);
    // Sleeps a jittered delay for the attempt'th consecutive failure and counts a retry;
    // false if stop() came first.
    bool back_off(unsigned attempt);

    spool::Spool& spool_;
    const UplinkOptions options_;
    const Endpoint endpoint_;
    std::unique_ptr<internal::HttpsClient> client_;
    std::mt19937_64 rng_;
    std::size_t batch_records_;  // current bound; halved on 413

    mutable std::mutex mu_;
    mutable std::condition_variable cv_;  // stop requests and acknowledgements
    bool stopping_ = false;
    std::atomic<bool> cancel_{false};
    UplinkStats stats_;
    std::thread thread_;
};

struct EnrollOptions {
    std::string server_url;         // "https://host[:port]"
    std::string token;              // the one-time token an administrator issued
    std::filesystem::path ca_file;  // CA(s) to verify the server with
    std::filesystem::path out_dir;  // created 0700 if absent; gets key.pem, cert.pem, ca.pem
    bool overwrite = false;         // replace an existing key.pem / cert.pem
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds io_timeout{30'000};
};

struct EnrollResult {
    std::string collector_id;         // the certificate's CN, chosen by the server
    std::filesystem::path key_file;   // out_dir/key.pem, mode 0600
    std::filesystem::path cert_file;  // out_dir/cert.pem
    std::filesystem::path ca_file;    // out_dir/ca.pem: the CA that signed cert.pem
};

// Generates an EC P-256 key in memory, sends a CSR with the token to /v1/enroll (no client
// certificate; the server is verified against ca_file), checks that the returned
// certificate is for our key and chains to the returned CA, then writes the files. The
// private key is never sent and is written only after enrollment succeeded. Errors:
// kAlreadyExists (files present, no overwrite), kUnauthenticated (token refused),
// kUnavailable (network/TLS), kParse (malformed answer), kIo (writing files).
[[nodiscard]] core::Result<EnrollResult> enroll(const EnrollOptions& options);

}  // namespace cyberalarm::uplink
