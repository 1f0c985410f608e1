#include "uplink/client.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <optional>
#include <system_error>
#include <vector>

#include "uplink/internal/https_client.h"
#include "uplink/messages.h"
#include "uplink/pki.h"
#include "uplink/wire.h"

namespace cyberalarm::uplink {

using core::Error;
using core::ErrorCode;
using core::fail;

struct Uplink::Batch {
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    std::string body;
};

namespace {

std::int64_t unix_ns_now() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

core::Status check_options(const UplinkOptions& o) {
    auto bad = [](std::string what) { return fail(Error::invalid_argument("uplink: " + what)); };
    if (o.cert_file.empty() || o.key_file.empty() || o.ca_file.empty()) {
        return bad("ca_file, cert_file and key_file are required (run enroll first)");
    }
    if (o.max_batch_records == 0 || o.max_batch_bytes == 0) {
        return bad("batch bounds must be at least 1");
    }
    if (o.backoff.initial.count() <= 0 || o.backoff.factor < 1.0 ||
        o.backoff.max < o.backoff.initial) {
        return bad("backoff needs initial > 0, factor >= 1 and max >= initial");
    }
    if (o.connect_timeout.count() <= 0 || o.io_timeout.count() <= 0 ||
        o.poll_interval.count() <= 0) {
        return bad("timeouts and poll interval must be positive");
    }
    return {};
}

}  // namespace

std::chrono::milliseconds backoff_ceiling(const Backoff& backoff, unsigned attempt) {
    double ceiling = static_cast<double>(backoff.initial.count()) *
                     std::pow(backoff.factor, static_cast<double>(attempt));
    double max = static_cast<double>(backoff.max.count());
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::min(ceiling, max)));
}

std::chrono::milliseconds backoff_delay(const Backoff& backoff, unsigned attempt,
                                        std::mt19937_64& rng) {
    std::uniform_int_distribution<std::int64_t> dist(0, backoff_ceiling(backoff, attempt).count());
    return std::chrono::milliseconds(dist(rng));
}

core::Result<std::unique_ptr<Uplink>> Uplink::create(spool::Spool& spool, UplinkOptions options) {
    if (auto st = check_options(options); !st) {
        return fail(std::move(st.error()));
    }
    auto endpoint = parse_server_url(options.server_url);
    if (!endpoint) {
        return fail(std::move(endpoint.error()));
    }
    auto client = internal::HttpsClient::create(
        *endpoint, {options.ca_file, options.cert_file, options.key_file},
        {options.connect_timeout, options.io_timeout});
    if (!client) {
        return fail(std::move(client.error()));
    }
    return std::unique_ptr<Uplink>(
        new Uplink(spool, std::move(options), std::move(*endpoint), std::move(*client)));
}

Uplink::Uplink(spool::Spool& spool, UplinkOptions options, Endpoint endpoint,
               std::unique_ptr<internal::HttpsClient> client)
    : spool_(spool),
      options_(std::move(options)),
      endpoint_(std::move(endpoint)),
      client_(std::move(client)),
      rng_(options_.jitter_seed != 0 ? options_.jitter_seed
                                     : (static_cast<std::uint64_t>(std::random_device{}()) << 32) ^
                                           std::random_device{}()),
      batch_records_(options_.max_batch_records) {}

Uplink::~Uplink() {
    stop();
}

void Uplink::start() {
    if (thread_.joinable()) {
        return;
    }
    {
        std::lock_guard lock(mu_);
        stopping_ = false;
    }
    cancel_.store(false);
    thread_ = std::thread([this] { run(); });
}

void Uplink::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cancel_.store(true);
    cv_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

UplinkStats Uplink::stats() const {
    std::lock_guard lock(mu_);
    UplinkStats s = stats_;
    s.acked_seq = spool_.acked_seq();
    return s;
}

bool Uplink::wait_acked(std::uint64_t seq, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return spool_.acked_seq() >= seq; });
}

bool Uplink::back_off(unsigned attempt) {
    auto delay = backoff_delay(options_.backoff, attempt, rng_);
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, delay, [&] { return stopping_; })) {
        return false;
    }
    ++stats_.retries;
    return true;
}

void Uplink::note_failure(const Error& error) {
    std::lock_guard lock(mu_);
    ++stats_.errors;
    stats_.last_error = error.to_string();
}

void Uplink::run() {
    std::uint64_t next_after = spool_.acked_seq();
    std::optional<Batch> pending;
    unsigned attempt = 0;
    while (!cancel_.load()) {
        if (!pending) {
            auto records = spool_.read(next_after, batch_records_, options_.max_batch_bytes);
            if (!records) {
                note_failure(records.error());
                if (!back_off(attempt++)) {
                    break;
                }
                continue;
            }
            if (records->empty()) {
                (void)spool_.wait(next_after, options_.poll_interval);
                continue;
            }
            // Only consecutive sequence numbers share a batch; a gap (records the spool
            // dropped) starts the next one.
            std::vector<std::string> data;
            data.reserve(records->size());
            std::uint64_t first = records->front().seq;
            for (auto& r : *records) {
                if (r.seq != first + data.size()) {
                    break;
                }
                data.push_back(std::move(r.data));
            }
            pending = Batch{first, first + data.size() - 1,
                            encode_batch(first, data, options_.zstd_level)};
        }
        auto sent = send(*pending, next_after);
        if (sent) {
            pending.reset();
            attempt = 0;
            // After a 413 the bound grows back gradually, not straight to the maximum.
            batch_records_ = std::min(options_.max_batch_records, batch_records_ * 2);
            continue;
        }
        if (cancel_.load()) {
            break;
        }
        note_failure(sent.error());
        if (sent.error().code() == ErrorCode::kResourceExhausted) {
            pending.reset();  // re-read the same records into a smaller batch
        }
        if (!back_off(attempt++)) {
            break;
        }
    }
    client_->close();
}

core::Status Uplink::send(Batch& batch, std::uint64_t& next_after) {
    const std::string range = batch_range_header(batch.first, batch.last);
    const internal::Header headers[] = {{kBatchRangeHeader, range}};
    auto res = client_->post(kBatchPath, kBatchContentType, batch.body, headers, cancel_);
    if (!res) {
        return fail(std::move(res.error()));
    }
    const std::uint64_t count = batch.last - batch.first + 1;
    if (res->status == 413) {
        batch_records_ = std::max<std::size_t>(1, static_cast<std::size_t>(count / 2));
        return fail(Error::exhausted("server refused batch " + range +
                                     " as too large; retrying "
                                     "with at most " +
                                     std::to_string(batch_records_) + " records"));
    }
    if (res->status != 200) {
        ErrorCode code = res->status == 401 || res->status == 403 ? ErrorCode::kUnauthenticated
                                                                  : ErrorCode::kUnavailable;
        return fail(Error(code, "server answered " + std::to_string(res->status) + " to batch " +
                                    range + ": " + parse_error_message(res->body)));
    }
    auto ack = parse_batch_ack(res->body);
    if (!ack) {
        return fail(std::move(ack.error()).context("server's answer to batch " + range));
    }
    if (ack->acked_through < batch.first) {
        return fail(Error(ErrorCode::kUnavailable, "server acknowledged only through " +
                                                       std::to_string(ack->acked_through) +
                                                       " for batch " + range));
    }
    // Never acknowledge past what this batch carried, whatever the server says.
    std::uint64_t through = std::min(ack->acked_through, batch.last);
    auto acked = spool_.ack(through);
    next_after = through;
    {
        std::lock_guard lock(mu_);
        ++stats_.batches_sent;
        stats_.events_sent += through - batch.first + 1;
        stats_.bytes_sent += batch.body.size();
        stats_.server_duplicates += ack->duplicates;
        stats_.last_success_unix_ns = unix_ns_now();
        if (!acked) {
            // The server has the records; the next acknowledgement covers these too.
            ++stats_.errors;
            stats_.last_error =
                std::move(acked.error()).context("acknowledging the spool").to_string();
        }
    }
    cv_.notify_all();
    return {};
}

namespace {

core::Status make_private_dir(const std::filesystem::path& dir) {
    std::error_code ec;
    if (dir.has_parent_path()) {
        std::filesystem::create_directories(dir.parent_path(), ec);
        if (ec) {
            return fail(Error::io("creating " + dir.parent_path().string() + ": " + ec.message()));
        }
    }
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        return fail(Error::io("creating " + dir.string() + ": " + std::strerror(errno)));
    }
    if (!std::filesystem::is_directory(dir, ec)) {
        return fail(Error::io(dir.string() + " is not a directory"));
    }
    return {};
}

}  // namespace

core::Result<EnrollResult> enroll(const EnrollOptions& options) {
    if (options.token.empty() || options.token.size() > kMaxTokenBytes) {
        return fail(Error::invalid_argument("enroll: a token of 1-" +
                                            std::to_string(kMaxTokenBytes) + " bytes is required"));
    }
    if (options.out_dir.empty() || options.ca_file.empty()) {
        return fail(Error::invalid_argument("enroll: out_dir and ca_file are required"));
    }
    auto endpoint = parse_server_url(options.server_url);
    if (!endpoint) {
        return fail(std::move(endpoint.error()));
    }
    EnrollResult result{
        {}, options.out_dir / "key.pem", options.out_dir / "cert.pem", options.out_dir / "ca.pem"};
    if (!options.overwrite) {
        for (const auto& p : {result.key_file, result.cert_file}) {
            std::error_code ec;
            if (std::filesystem::exists(p, ec)) {
                return fail(Error(
                    ErrorCode::kAlreadyExists,
                    "already enrolled: " + p.string() + " exists (remove it or ask to overwrite)"));
            }
        }
    }

    auto key = PrivateKey::generate();
    if (!key) {
        return fail(std::move(key.error()));
    }
    // The server names the collector from the token; this CN is a placeholder it ignores.
    auto csr = make_csr(*key, "cyberalarm-collector");
    if (!csr) {
        return fail(std::move(csr.error()));
    }
    auto client = internal::HttpsClient::create(*endpoint, {options.ca_file, {}, {}},
                                                {options.connect_timeout, options.io_timeout});
    if (!client) {
        return fail(std::move(client.error()));
    }
    std::atomic<bool> never{false};
    auto res = (*client)->post(kEnrollPath, kJsonContentType,
                               to_json(EnrollRequest{options.token, *csr}), {}, never);
    if (!res) {
        return fail(std::move(res.error()).context("enroll"));
    }
    if (res->status != 200) {
        ErrorCode code = res->status == 401 || res->status == 403 ? ErrorCode::kUnauthenticated
                         : res->status >= 500                     ? ErrorCode::kUnavailable
                                                                  : ErrorCode::kInvalidArgument;
        return fail(Error(code, "enroll: server answered " + std::to_string(res->status) + ": " +
                                    parse_error_message(res->body)));
    }
    auto answer = parse_enroll_response(res->body);
    if (!answer) {
        return fail(std::move(answer.error()).context("enroll: server's answer"));
    }
    // Trust nothing the answer says until it checks out against our key and its CA.
    if (auto st = check_key_matches(answer->certificate_pem, *key); !st) {
        return fail(std::move(st.error()).context("enroll: issued certificate"));
    }
    if (auto st =
            verify_certificate(answer->certificate_pem, answer->ca_pem, CertPurpose::kTlsClient);
        !st) {
        return fail(std::move(st.error()).context("enroll: issued certificate"));
    }
    auto cn = certificate_common_name(answer->certificate_pem);
    if (!cn || *cn != answer->collector_id) {
        return fail(
            Error::parse("enroll: certificate is not for collector " + answer->collector_id));
    }

    if (auto st = make_private_dir(options.out_dir); !st) {
        return fail(std::move(st.error()));
    }
    if (auto st = write_private_key_file(result.key_file, *key); !st) {
        return fail(std::move(st.error()));
    }
    if (auto st = write_file_atomic(result.cert_file, answer->certificate_pem, 0644); !st) {
        return fail(std::move(st.error()));
    }
    if (auto st = write_file_atomic(result.ca_file, answer->ca_pem, 0644); !st) {
        return fail(std::move(st.error()));
    }
    result.collector_id = std::move(answer->collector_id);
    return result;
}

}  // namespace cyberalarm::uplink
