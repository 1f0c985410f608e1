// GeoLookup over libmaxminddb (see geo.h).
#include "report/geo.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#if CA_HAVE_MAXMINDDB
#include <maxminddb.h>
#include <sys/socket.h>
#endif

namespace cyberalarm::report {

std::string GeoInfo::describe() const {
    std::string out = country.empty() ? country_code : country;
    if (asn != 0) {
        out += out.empty() ? "" : " · ";
        out += fmt::format("AS{}", asn);
        if (!as_org.empty()) {
            out += " " + as_org;
        }
    }
    return out;
}

#if CA_HAVE_MAXMINDDB

namespace {

// One open database; closed on destruction.
class Db {
public:
    Db() = default;
    ~Db() {
        if (open_) {
            MMDB_close(&db_);
        }
    }
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    core::Status open(const std::string& path) {
        int rc = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &db_);
        if (rc != MMDB_SUCCESS) {
            return core::fail(core::Error::invalid_argument(
                fmt::format("{}: not a readable MaxMind DB: {}", path, MMDB_strerror(rc))));
        }
        open_ = true;
        return {};
    }
    [[nodiscard]] bool is_open() const { return open_; }

    std::optional<MMDB_lookup_result_s> find(const core::IpAddress& ip) const {
        if (!open_ || !ip.is_set()) {
            return std::nullopt;
        }
        int gai = 0;
        int rc = MMDB_SUCCESS;
        auto text = ip.to_string();
        auto r = MMDB_lookup_string(&db_, text.c_str(), &gai, &rc);
        if (gai != 0 || rc != MMDB_SUCCESS || !r.found_entry) {
            return std::nullopt;
        }
        return r;
    }

private:
    mutable MMDB_s db_{};
    bool open_ = false;
};

std::string get_string(MMDB_entry_s entry, const char* const* path) {
    MMDB_entry_data_s data{};
    if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS || !data.has_data ||
        data.type != MMDB_DATA_TYPE_UTF8_STRING) {
        return "";
    }
    // Names are shown in a report: keep them short.
    return std::string(data.utf8_string, std::min<std::uint32_t>(data.data_size, 120));
}

std::uint32_t get_u32(MMDB_entry_s entry, const char* const* path) {
    MMDB_entry_data_s data{};
    if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS || !data.has_data) {
        return 0;
    }
    switch (data.type) {
        case MMDB_DATA_TYPE_UINT32:
            return data.uint32;
        case MMDB_DATA_TYPE_UINT16:
            return data.uint16;
        default:
            return 0;
    }
}

}  // namespace

struct GeoLookup::Impl {
    Db country;
    Db asn;
};

core::Result<std::unique_ptr<GeoLookup>> GeoLookup::open(const std::string& country_db,
                                                         const std::string& asn_db) {
    if (country_db.empty() && asn_db.empty()) {
        return core::fail(core::Error::invalid_argument("no GeoIP database given"));
    }
    auto impl = std::make_unique<Impl>();
    if (!country_db.empty()) {
        if (auto st = impl->country.open(country_db); !st) {
            return core::fail(std::move(st.error()));
        }
    }
    if (!asn_db.empty()) {
        if (auto st = impl->asn.open(asn_db); !st) {
            return core::fail(std::move(st.error()));
        }
    }
    return std::unique_ptr<GeoLookup>(new GeoLookup(std::move(impl)));
}

GeoInfo GeoLookup::lookup(const core::IpAddress& ip) const {
    GeoInfo info;
    if (auto r = impl_->country.find(ip)) {
        static constexpr const char* kCode[] = {"country", "iso_code", nullptr};
        static constexpr const char* kName[] = {"country", "names", "en", nullptr};
        info.country_code = get_string(r->entry, kCode);
        info.country = get_string(r->entry, kName);
    }
    if (auto r = impl_->asn.find(ip)) {
        static constexpr const char* kAsn[] = {"autonomous_system_number", nullptr};
        static constexpr const char* kOrg[] = {"autonomous_system_organization", nullptr};
        info.asn = get_u32(r->entry, kAsn);
        info.as_org = get_string(r->entry, kOrg);
    }
    return info;
}

#else

struct GeoLookup::Impl {};

core::Result<std::unique_ptr<GeoLookup>> GeoLookup::open(const std::string&,
                                                         const std::string&) {
    return core::fail(core::Error::unsupported("built without libmaxminddb"));
}

GeoInfo GeoLookup::lookup(const core::IpAddress&) const {
    return {};
}

#endif

GeoLookup::GeoLookup(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GeoLookup::~GeoLookup() = default;

}  // namespace cyberalarm::report
