// Helpers for the server tests: a cyberalarm-server in this process on 127.0.0.1 port 0 with
// its data directory in a temporary folder, members and collectors made through the store,
// enrollment through the real client, and a raw HTTPS client for batches.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/event.h"
#include "server/config.h"
#include "server/server.h"
#include "support/test_support.h"
#include "uplink/client.h"

namespace cyberalarm::test {

// Unwraps a Result in a test, failing it with the error's text.
template <typename T>
T must(core::Result<T> r, const char* what) {
    if (!r) {
        ADD_FAILURE() << what << ": " << r.error().to_string();
        throw std::runtime_error(what);
    }
    return std::move(*r);
}
inline void must(core::Status st, const char* what) {
    if (!st) {
        ADD_FAILURE() << what << ": " << st.error().to_string();
        throw std::runtime_error(what);
    }
}

class ServerHarness {
public:
    // `tune` adjusts the configuration (ports are 0, the data dir is temporary).
    explicit ServerHarness(const std::function<void(server::ServerConfig&)>& tune = {});
    ~ServerHarness();

    void start();
    void stop();
    // Stops and starts again on the same data directory and ports.
    void restart();

    server::Server& server() { return *server_; }
    store::Store& store() { return server_->store(); }
    [[nodiscard]] std::string url() const;
    [[nodiscard]] std::uint16_t port() const { return server_->ingest_port(); }
    [[nodiscard]] std::filesystem::path ca_file() const;
    [[nodiscard]] const std::filesystem::path& root() const { return dir_.path(); }
    [[nodiscard]] const std::vector<std::string>& first_tokens() const { return tokens_; }

    // A member (with a nation, region and force above it) whose networks are `networks`.
    store::TenantId add_member(const std::string& name, const std::string& networks = "");
    // A collector record and a one-time token for it, valid for `ttl` (negative: expired).
    std::string add_collector(store::TenantId member, const std::string& id,
                              std::chrono::seconds ttl = std::chrono::hours(1));
    // Enrolls through uplink::enroll into <root>/<name>/.
    core::Result<uplink::EnrollResult> enroll(const std::string& token, const std::string& name);

private:
    TempDir dir_;
    server::ServerConfig config_;
    std::unique_ptr<server::Server> server_;
    std::vector<std::string> tokens_;
    store::TenantId force_ = 0;
};

// Events that look like a port scan: `count` TCP denies from `src` to `dst`, ports from
// `first_port`, one second apart from `t0_s`.
std::vector<std::string> scan_records(const std::string& src, const std::string& dst,
                                      std::uint16_t first_port, std::size_t count,
                                      std::int64_t t0_s);
// `count` failed logins from `src` (a brute-force run: severity high in the built-in rules).
std::vector<std::string> login_failures(const std::string& src, std::size_t count,
                                        std::int64_t t0_s);

struct Answer {
    unsigned status = 0;  // 0: no answer (body holds the error)
    std::string body;
    std::map<std::string, std::string> headers;  // names in lower case
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// One request over TLS to 127.0.0.1:`port`, verifying the server against `ca_file` and
// presenting the client certificate of an enrollment if given; the connection is closed
// afterwards. Reads time out after 10 s.
Answer https_request(std::uint16_t port, const std::filesystem::path& ca_file,
                     const std::optional<uplink::EnrollResult>& client, const std::string& method,
                     const std::string& target, const std::string& content_type,
                     const std::string& body, const Headers& headers = {});
// POSTs a batch body to /v1/batches.
Answer post_batch(std::uint16_t port, const std::filesystem::path& ca_file,
                  const std::optional<uplink::EnrollResult>& client, const std::string& body,
                  const std::string& range = {});

// A raw TLS connection for tests of deadlines: write what you like, see when the server
// closes. The handshake presents no client certificate.
class TlsConnection {
public:
    TlsConnection(std::uint16_t port, const std::filesystem::path& ca_file);
    ~TlsConnection();
    [[nodiscard]] bool write(std::string_view bytes);
    // Reads until the server closes the connection or `timeout` passes; returns what was
    // read, and whether the server closed.
    std::string read_until_closed(std::chrono::milliseconds timeout, bool& closed);

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};
// The body of a batch of `records` starting at `first_seq`.
std::string batch_body(std::uint64_t first_seq, const std::vector<std::string>& records);

// Every event stored for `member`, oldest first (all pages).
std::vector<store::EventRecord> stored_events(store::Store& store, store::TenantId member);

// Polls `condition` every 5 ms until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace cyberalarm::test
