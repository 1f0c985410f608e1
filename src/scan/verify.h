// Ownership verification: proof that a member controls an asset before anything scans it.
//
//  - domain assets: a DNS TXT record "cyberalarm-verify=<token>" on the domain itself
//    (libresolv res_nquery; our own short timeout and retry count);
//  - host assets, and network assets of exactly one address: the file
//    http://<host>/.well-known/cyberalarm-verify.txt containing the token, fetched with one
//    plain HTTP GET (no redirects followed: a redirect could point anywhere);
//  - wider network ranges cannot be proven this way: kUnsupported, an operator verifies
//    them (verified_by "operator").
// The token is the asset's server-issued verify_token; tokens shorter than 16 characters
// are refused so that no guessable value can pass.
//
// On success the caller records it with Store::mark_asset_verified(…, method_for(asset)).
// Errors: kPermissionDenied (the proof is absent or different, message says what was
// seen), kNotFound (no such name), kUnavailable (could not ask), kUnsupported.
//
// Thread safety: reentrant (res_nquery on a private resolver state).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "core/result.h"
#include "scan/target.h"
#include "store/store.h"

namespace cyberalarm::scan {

struct VerifyOptions {
    std::uint16_t http_port = 80;  // tests use a loopback server on another port
    std::chrono::milliseconds timeout{5000};
    std::string user_agent = "cyberalarm-scan ownership check";
    Resolver resolver = system_resolver();
};

inline constexpr const char* kVerifyPath = "/.well-known/cyberalarm-verify.txt";
inline constexpr const char* kTxtPrefix = "cyberalarm-verify=";

[[nodiscard]] core::Status verify_ownership(const store::Asset& asset,
                                            const VerifyOptions& options);

// "dns-txt" or "http-file": the verified_by value for a successful check of this asset.
[[nodiscard]] std::string method_for(const store::Asset& asset);

// The TXT strings of `name` (IN class). Exposed for tests.
[[nodiscard]] core::Result<std::vector<std::string>> query_txt(const std::string& name,
                                                               std::chrono::milliseconds timeout);

}  // namespace cyberalarm::scan
