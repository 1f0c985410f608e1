#include "server/data_dir.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace cyberalarm::server {

namespace {

core::Status make_private_dir(const std::filesystem::path& dir) {
    if (::mkdir(dir.c_str(), 0700) == 0) {
        return {};
    }
    if (errno != EEXIST) {
        return core::fail(core::Error::io("creating " + dir.string() + ": " + std::strerror(errno)));
    }
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        return core::fail(core::Error::invalid_argument(dir.string() + " is not a directory"));
    }
    if ((st.st_mode & 077) != 0) {
        return core::fail(core::Error(core::ErrorCode::kPermissionDenied,
                                      dir.string() + " is open to group or others (chmod 700 it)"));
    }
    return {};
}

}  // namespace

core::Result<DataDir> prepare_data_dir(const std::filesystem::path& root) {
    std::error_code ec;
    if (root.has_parent_path()) {
        std::filesystem::create_directories(root.parent_path(), ec);
    }
    DataDir dir{root};
    for (const auto& p : {dir.root, dir.ca_dir()}) {
        if (auto st = make_private_dir(p); !st) {
            return core::fail(std::move(st.error()));
        }
    }
    return dir;
}

core::Result<uplink::CertificateAuthority> load_or_create_ca(const DataDir& dir, bool& created) {
    created = false;
    std::error_code ec;
    const bool have_key = std::filesystem::exists(dir.ca_key(), ec);
    const bool have_cert = std::filesystem::exists(dir.ca_cert(), ec);
    if (have_key && have_cert) {
        auto key = uplink::read_small_file(dir.ca_key());
        auto cert = uplink::read_small_file(dir.ca_cert());
        if (!key || !cert) {
            core::Error e = key ? cert.error() : key.error();
            return core::fail(std::move(e).context("reading the CA"));
        }
        return uplink::CertificateAuthority::from_pem(*cert, *key);
    }
    if (have_key != have_cert) {
        return core::fail(core::Error::invalid_argument(
            "half a CA in " + dir.ca_dir().string() +
            " (ca.pem and ca.key go together); restore the missing file or remove both"));
    }
    auto ca = uplink::CertificateAuthority::create("cyberalarm CA", 3650);
    if (!ca) {
        return ca;
    }
    // The key first: a certificate without its key would be refused at the next start.
    if (auto st = uplink::write_private_key_file(dir.ca_key(), ca->key); !st) {
        return core::fail(std::move(st.error()));
    }
    if (auto st = uplink::write_file_atomic(dir.ca_cert(), ca->cert_pem, 0644); !st) {
        return core::fail(std::move(st.error()));
    }
    created = true;
    return ca;
}

core::Result<ServerIdentity> issue_server_identity(const uplink::CertificateAuthority& ca,
                                                   const std::vector<std::string>& extra_names,
                                                   int days) {
    std::vector<std::string> names = {"localhost", "127.0.0.1", "::1"};
    for (const auto& n : extra_names) {
        if (std::find(names.begin(), names.end(), n) == names.end()) {
            names.push_back(n);
        }
    }
    auto key = uplink::PrivateKey::generate();
    if (!key) {
        return core::fail(std::move(key.error()));
    }
    auto cert = uplink::issue_server_certificate(ca, *key, names.back(), names, days);
    if (!cert) {
        return core::fail(std::move(cert.error()));
    }
    return ServerIdentity{std::move(*key), std::move(*cert)};
}

core::Result<std::optional<std::string>> bootstrap_operator(store::Store& store,
                                                            std::int64_t now_ns, int days) {
    auto users = store.list_users(std::nullopt);
    if (!users) {
        return core::fail(std::move(users.error()));
    }
    for (const auto& u : *users) {
        if (u.role == store::Role::kOperator) {
            return std::optional<std::string>{};
        }
    }
    store::User user;
    user.role = store::Role::kOperator;
    user.email = "operator@localhost";
    user.display_name = "First operator";
    user.created_ns = now_ns;
    auto created = store.create_user(std::move(user));
    if (!created) {
        return core::fail(std::move(created.error()).context("creating the first operator"));
    }
    std::string token = store::new_token();
    store::ApiToken api;
    api.user = created->id;
    api.token_hash = store::token_hash(token);
    api.label = "first start";
    api.scopes = "read write admin";
    api.created_ns = now_ns;
    api.expires_ns = now_ns + std::int64_t{days} * 86400 * 1'000'000'000;
    if (auto t = store.create_api_token(std::move(api)); !t) {
        return core::fail(std::move(t.error()).context("creating the first API token"));
    }
    return std::optional<std::string>(std::move(token));
}

core::Status write_ports(const DataDir& dir, std::uint16_t ingest, std::uint16_t api) {
    const std::string text = "{\"ingest\": " + std::to_string(ingest) +
                             ", \"api\": " + std::to_string(api) + "}\n";
    return uplink::write_file_atomic(dir.ports_file(), text, 0644);
}

}  // namespace cyberalarm::server
