// The JSON messages of the collector ⇄ server protocol (docs/design/wire.md).
//
//   POST /v1/batches → 200 {"acked_through": n, "stored": n, "duplicates": n, "gap": n,
//                           "malformed": n}
//   POST /v1/enroll    {"token": "...", "csr": "<PEM>"}
//                    → 200 {"collector_id": "...", "certificate": "<PEM>", "ca": "<PEM>"}
//   any error        → 4xx/5xx {"error": "<text for an administrator>"}
//
// The parsers are total: any bytes give a value or an Error (kParse, kOutOfRange), no
// exception. Input is capped (kMaxMessageBytes); unknown members are ignored so either side
// can add fields without breaking the other.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace cyberalarm::uplink {

// Largest JSON message either side accepts (a CSR or a certificate chain is a few KiB).
inline constexpr std::size_t kMaxMessageBytes = 64 * 1024;
// Largest one-time token and collector id.
inline constexpr std::size_t kMaxTokenBytes = 256;
inline constexpr std::size_t kMaxCollectorIdBytes = 64;

// The server's answer to a batch. The collector acknowledges its spool through
// acked_through: every record with a sequence number <= acked_through is stored (or was
// dropped by the collector's own spool before it was sent).
struct BatchAck {
    std::uint64_t acked_through = 0;
    std::uint64_t stored = 0;      // records of this batch stored now
    std::uint64_t duplicates = 0;  // records at or below the server's high-water mark
    std::uint64_t gap = 0;         // sequence numbers skipped before this batch
    std::uint64_t malformed = 0;   // records that were not valid events (counted, skipped)
};

struct EnrollRequest {
    std::string token;
    std::string csr_pem;
};

struct EnrollResponse {
    std::string collector_id;
    std::string certificate_pem;
    std::string ca_pem;
};

[[nodiscard]] std::string to_json(const BatchAck& ack);
[[nodiscard]] std::string to_json(const EnrollRequest& request);
[[nodiscard]] std::string to_json(const EnrollResponse& response);
// {"error": message}
[[nodiscard]] std::string error_json(std::string_view message);

[[nodiscard]] core::Result<BatchAck> parse_batch_ack(std::string_view json);
// Requires a non-empty token of at most kMaxTokenBytes and a CSR that looks like PEM; the
// CSR itself is checked by the enrollment authority.
[[nodiscard]] core::Result<EnrollRequest> parse_enroll_request(std::string_view json);
[[nodiscard]] core::Result<EnrollResponse> parse_enroll_response(std::string_view json);
// The "error" member of an error body, or the body itself cut to 200 bytes if it is not one.
[[nodiscard]] std::string parse_error_message(std::string_view body);

// A collector id is 1..kMaxCollectorIdBytes of [A-Za-z0-9._-], so it can name files and
// appear in logs and certificate subjects without escaping.
[[nodiscard]] bool valid_collector_id(std::string_view id);

}  // namespace cyberalarm::uplink
