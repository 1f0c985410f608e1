#include "uplink/enrollment.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>

namespace cyberalarm::uplink {

namespace {

using core::Error;
using core::fail;

std::string hex(const unsigned char* data, std::size_t n) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(kDigits[data[i] >> 4]);
        out.push_back(kDigits[data[i] & 0xf]);
    }
    return out;
}

std::string token_digest(std::string_view token) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_Digest(token.data(), token.size(), md, &n, EVP_sha256(), nullptr) != 1) {
        std::abort();  // SHA-256 is always available in OpenSSL's default provider
    }
    return hex(md, n);
}

Error bad_token() {
    return Error(core::ErrorCode::kUnauthenticated,
                 "enrollment token is unknown, already used or expired");
}

}  // namespace

std::string EnrollmentAuthority::generate_token() {
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1) {
        std::abort();  // no entropy: nothing safe to hand out
    }
    return hex(bytes, sizeof bytes);
}

core::Status EnrollmentAuthority::add_token(std::string_view token, std::string_view collector_id,
                                            Clock::time_point expires) {
    if (token.empty() || token.size() > kMaxTokenBytes) {
        return fail(Error::invalid_argument("enrollment token must be 1-" +
                                            std::to_string(kMaxTokenBytes) + " bytes"));
    }
    if (!valid_collector_id(collector_id)) {
        return fail(Error::invalid_argument("collector id must be 1-64 of [A-Za-z0-9._-]"));
    }
    std::lock_guard lock(mu_);
    auto [it, inserted] =
        tokens_.try_emplace(token_digest(token), Token{std::string(collector_id), expires, false});
    if (!inserted) {
        return fail(Error(core::ErrorCode::kAlreadyExists, "enrollment token already registered"));
    }
    return {};
}

core::Result<EnrollResponse> EnrollmentAuthority::enroll(const EnrollRequest& request,
                                                         Clock::time_point now) {
    std::string digest = token_digest(request.token);
    // Held while signing so two requests with one token cannot both succeed.
    std::lock_guard lock(mu_);
    auto it = tokens_.find(digest);
    if (it == tokens_.end() || it->second.used || now >= it->second.expires) {
        return fail(bad_token());
    }
    auto cert = sign_client_csr(ca_, request.csr_pem, it->second.collector_id, cert_days_);
    if (!cert) {
        return fail(std::move(cert.error()));
    }
    it->second.used = true;
    return EnrollResponse{it->second.collector_id, std::move(*cert), ca_.cert_pem};
}

}  // namespace cyberalarm::uplink
