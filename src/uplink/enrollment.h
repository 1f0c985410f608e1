// Server-side enrollment: one-time tokens exchanged for a client certificate.
//
// An administrator creates a token for a collector id (add_token); the collector sends it
// with a CSR (POST /v1/enroll); enroll() checks the token, signs the CSR's key with the
// enrollment CA under the token's collector id (never a name taken from the CSR) and marks
// the token used. Tokens are kept only as SHA-256 digests, so a copy of this table does not
// reveal usable tokens. A token that is unknown, used or expired gives kUnauthenticated with
// one message for all three, so a caller learns nothing about which tokens exist. A CSR that
// is refused (bad signature, weak key) does not use the token up.
//
// Thread safety: all members are safe to call concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "core/result.h"
#include "uplink/messages.h"
#include "uplink/pki.h"

namespace cyberalarm::uplink {

class EnrollmentAuthority {
public:
    using Clock = std::chrono::system_clock;

    // `cert_days`: validity of issued client certificates.
    EnrollmentAuthority(CertificateAuthority ca, int cert_days)
        : ca_(std::move(ca)), cert_days_(cert_days) {}

    // A new random token: 32 bytes from the OpenSSL CSPRNG as 64 hex digits.
    [[nodiscard]] static std::string generate_token();

    // Registers `token` for `collector_id` until `expires`. kInvalidArgument for an empty or
    // over-long token or an invalid id; kAlreadyExists if the token is already registered.
    [[nodiscard]] core::Status add_token(std::string_view token, std::string_view collector_id,
                                         Clock::time_point expires);

    // Exchanges a token and CSR for a certificate. kUnauthenticated for an unknown, used or
    // expired token; sign_client_csr()'s errors for a bad CSR.
    [[nodiscard]] core::Result<EnrollResponse> enroll(const EnrollRequest& request,
                                                      Clock::time_point now = Clock::now());

    [[nodiscard]] const std::string& ca_pem() const { return ca_.cert_pem; }
    [[nodiscard]] const CertificateAuthority& ca() const { return ca_; }

private:
    struct Token {
        std::string collector_id;
        Clock::time_point expires;
        bool used = false;
    };

    CertificateAuthority ca_;
    int cert_days_;
    mutable std::mutex mu_;
    std::map<std::string, Token, std::less<>> tokens_;  // by SHA-256 of the token, hex
};

}  // namespace cyberalarm::uplink
