#include "scan/verify.h"

#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>

#include <cstring>

#include "scan/http_parse.h"
#include "scan/internal/channel.h"

namespace cyberalarm::scan {

using core::Error;
using core::ErrorCode;
using core::fail;

namespace {

constexpr std::size_t kMinTokenLength = 16;

Error denied(const store::Asset& a, std::string why) {
    return Error(ErrorCode::kPermissionDenied,
                 "ownership of '" + a.value + "' not proven: " + std::move(why));
}

std::string trim(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.pop_back();
    }
    std::size_t start = 0;
    while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) {
        ++start;
    }
    return s.substr(start);
}

// RAII for a private resolver state.
class ResState {
public:
    ResState() { ok_ = res_ninit(&state_) == 0; }
    ~ResState() {
        if (ok_) {
            res_nclose(&state_);
        }
    }
    ResState(const ResState&) = delete;
    ResState& operator=(const ResState&) = delete;
    [[nodiscard]] bool ok() const { return ok_; }
    res_state get() { return &state_; }

private:
    struct __res_state state_ {};
    bool ok_ = false;
};

core::Status verify_dns(const store::Asset& a, const VerifyOptions& o) {
    auto txt = query_txt(a.value, o.timeout);
    if (!txt) {
        return fail(Error(txt.error().code(), "ownership of '" + a.value +
                                                  "' not proven: " + txt.error().message()));
    }
    std::string want = kTxtPrefix + a.verify_token;
    for (const std::string& t : *txt) {
        if (trim(t) == want) {
            return {};
        }
    }
    return fail(denied(a, "no TXT record \"" + std::string(kTxtPrefix) + "<token>\" with this "
                          "asset's token (" + std::to_string(txt->size()) + " TXT records seen)"));
}

core::Status verify_http(const store::Asset& a, const std::string& host,
                         const core::IpAddress& ip, const VerifyOptions& o) {
    auto ch = internal::open_plain(ip, o.http_port, o.timeout);
    if (!ch) {
        return fail(Error(ErrorCode::kUnavailable, "ownership check of '" + a.value + "': " +
                                                       ch.error().message()));
    }
    std::string h = ip.is_v6() && host.find(':') != std::string::npos ? "[" + host + "]" : host;
    std::string req = std::string("GET ") + kVerifyPath + " HTTP/1.1\r\nHost: " + h +
                      "\r\nUser-Agent: " + o.user_agent + "\r\nConnection: close\r\n\r\n";
    internal::AnswerLimits limits{o.timeout, std::chrono::milliseconds(500), 16384};
    auto r = parse_http_response(internal::exchange(**ch, req, limits));
    if (!r) {
        return fail(denied(a, std::string(kVerifyPath) + " did not answer with HTTP"));
    }
    if (r->status != 200) {
        return fail(denied(a, std::string(kVerifyPath) + " answered " + std::to_string(r->status) +
                              " (redirects are not followed)"));
    }
    if (trim(r->body).find(a.verify_token) == std::string::npos) {
        return fail(denied(a, std::string(kVerifyPath) + " does not contain this asset's token"));
    }
    return {};
}

}  // namespace

core::Result<std::vector<std::string>> query_txt(const std::string& name,
                                                 std::chrono::milliseconds timeout) {
    ResState res;
    if (!res.ok()) {
        return fail(Error(ErrorCode::kUnavailable, "resolver not configured"));
    }
    res.get()->retrans = static_cast<int>(std::max<long>(1, timeout.count() / 1000));
    res.get()->retry = 1;
    unsigned char answer[8192];
    int n = res_nquery(res.get(), name.c_str(), ns_c_in, ns_t_txt, answer, sizeof answer);
    if (n < 0) {
        switch (res.get()->res_h_errno) {
            case HOST_NOT_FOUND:
                return fail(Error::not_found("no such domain '" + name + "' (NXDOMAIN)"));
            case NO_DATA:
                return std::vector<std::string>{};
            default:
                return fail(Error(ErrorCode::kUnavailable,
                                  "DNS query for '" + name + "' failed (no answer from the resolver)"));
        }
    }
    ns_msg msg;
    if (ns_initparse(answer, n, &msg) != 0) {
        return fail(Error::parse("malformed DNS answer for '" + name + "'"));
    }
    std::vector<std::string> out;
    for (int i = 0; i < ns_msg_count(msg, ns_s_an); ++i) {
        ns_rr rr;
        if (ns_parserr(&msg, ns_s_an, i, &rr) != 0 || ns_rr_type(rr) != ns_t_txt) {
            continue;
        }
        const unsigned char* p = ns_rr_rdata(rr);
        const unsigned char* end = p + ns_rr_rdlen(rr);
        std::string joined;  // a TXT record's strings form one value
        while (p < end) {
            std::size_t len = *p++;
            len = std::min<std::size_t>(len, static_cast<std::size_t>(end - p));
            joined.append(reinterpret_cast<const char*>(p), len);
            p += len;
        }
        out.push_back(std::move(joined));
    }
    return out;
}

std::string method_for(const store::Asset& asset) {
    return asset.kind == store::AssetKind::kDomain ? "dns-txt" : "http-file";
}

core::Status verify_ownership(const store::Asset& asset, const VerifyOptions& o) {
    if (asset.verify_token.size() < kMinTokenLength) {
        return fail(Error::invalid_argument("asset '" + asset.value +
                                            "' has no usable verification token"));
    }
    switch (asset.kind) {
        case store::AssetKind::kDomain:
            return verify_dns(asset, o);
        case store::AssetKind::kHost: {
            auto addrs = o.resolver(asset.value);
            if (!addrs || addrs->empty()) {
                return fail(Error::not_found("cannot resolve '" + asset.value + "'"));
            }
            return verify_http(asset, asset.value, addrs->front(), o);
        }
        case store::AssetKind::kNetwork: {
            auto c = core::Cidr::parse(asset.value);
            if (!c) {
                return fail(Error::invalid_argument("'" + asset.value + "' is not a network"));
            }
            bool single = c->base.is_v4() ? c->prefix == 32 : c->prefix == 128;
            if (!single) {
                return fail(Error::unsupported("ranges wider than one address cannot prove "
                                               "ownership by HTTP; an operator must verify '" +
                                               asset.value + "'"));
            }
            return verify_http(asset, c->base.to_string(), c->base, o);
        }
    }
    return fail(Error::internal("unknown asset kind"));
}

}  // namespace cyberalarm::scan
