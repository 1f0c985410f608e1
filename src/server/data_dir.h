// The server's data directory and what start-up makes in it.
//
// Layout (docs/design/server.md):
//   <data-dir>/            0700, created if missing; refused if group or others may enter
//     store.db             the SQLite store (the admin CLI opens this exact path)
//     ca/                  0700
//       ca.pem             the CA that signs collector and server certificates (0644)
//       ca.key             its private key (0600 from the moment it exists)
//     intel/               optional threat-intel files, read at start
//     ports.json           {"ingest": n, "api": n}: the ports bound (port 0 → the real one)
//
// The server certificate is issued afresh at every start (a new key, names from the
// configuration), so it always names what the configuration says; collectors trust the CA.
//
// Thread safety: functions; call at start-up only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/store.h"
#include "uplink/pki.h"

namespace cyberalarm::server {

struct DataDir {
    std::filesystem::path root;

    [[nodiscard]] std::filesystem::path store_db() const { return root / "store.db"; }
    [[nodiscard]] std::filesystem::path ca_dir() const { return root / "ca"; }
    [[nodiscard]] std::filesystem::path ca_cert() const { return ca_dir() / "ca.pem"; }
    [[nodiscard]] std::filesystem::path ca_key() const { return ca_dir() / "ca.key"; }
    [[nodiscard]] std::filesystem::path intel_dir() const { return root / "intel"; }
    [[nodiscard]] std::filesystem::path ports_file() const { return root / "ports.json"; }
};

// Creates `root` (and ca/) with mode 0700, or checks that an existing one is a directory
// that group and others cannot enter. kPermissionDenied names the fix.
[[nodiscard]] core::Result<DataDir> prepare_data_dir(const std::filesystem::path& root);

// Loads the CA from ca/, or makes a fresh one (key written 0600 first, then the certificate).
// `created` says which.
[[nodiscard]] core::Result<uplink::CertificateAuthority> load_or_create_ca(const DataDir& dir,
                                                                           bool& created);

struct ServerIdentity {
    uplink::PrivateKey key;
    std::string cert_pem;
};
// A new key and certificate for localhost, 127.0.0.1, ::1 and `extra_names`.
[[nodiscard]] core::Result<ServerIdentity> issue_server_identity(
    const uplink::CertificateAuthority& ca, const std::vector<std::string>& extra_names,
    int days);

// On the first start (no operator user in the store): creates user "operator@localhost"
// with role operator and an API token for it with scopes "read write admin", valid for
// `days`, storing only the token's SHA-256. Returns the token, to be shown once; nullopt
// when an operator already exists.
[[nodiscard]] core::Result<std::optional<std::string>> bootstrap_operator(store::Store& store,
                                                                          std::int64_t now_ns,
                                                                          int days);

// Writes ports.json atomically.
[[nodiscard]] core::Status write_ports(const DataDir& dir, std::uint16_t ingest,
                                       std::uint16_t api);

}  // namespace cyberalarm::server
