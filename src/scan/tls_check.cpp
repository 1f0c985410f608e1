// TLS checks: each protocol version tried on its own, accepted TLS ≤ 1.2 suites enumerated
// by exclusion (offer everything, remove what the server picked, repeat), and the
// certificate inspected (validity, self-signed, name, key size, signature, chain).
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <map>

#include "scan/checks.h"
#include "scan/internal/channel.h"
#include "scan/internal/starttls.h"

namespace cyberalarm::scan {

using internal::Channel;
using internal::TlsOffer;

namespace {

struct X509StoreFree {
    void operator()(X509_STORE* p) const { X509_STORE_free(p); }
};
struct X509StoreCtxFree {
    void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
};

struct Version {
    int id;
    const char* name;
    const char* check;
    core::Severity severity;  // when offered
};

constexpr Version kVersions[] = {
    {SSL3_VERSION, "SSLv3", "tls.protocol.sslv3", core::Severity::kHigh},
    {TLS1_VERSION, "TLSv1.0", "tls.protocol.tls1_0", core::Severity::kMedium},
    {TLS1_1_VERSION, "TLSv1.1", "tls.protocol.tls1_1", core::Severity::kMedium},
    {TLS1_2_VERSION, "TLSv1.2", "", core::Severity::kInfo},
    {TLS1_3_VERSION, "TLSv1.3", "", core::Severity::kInfo},
};

core::Result<std::unique_ptr<Channel>> open(const CheckContext& ctx, TlsEntry entry,
                                            const TlsOffer& offer) {
    return internal::open_tls_via(entry, ctx.service.address, ctx.service.port,
                                  offer, ctx.options.ehlo_name, ctx.options.timeout);
}

std::string host_or_address(const CheckContext& ctx) {
    return ctx.service.host.empty() ? ctx.service.address.to_string() : ctx.service.host;
}

// ---- suites ---------------------------------------------------------------------------------

struct SuiteClass {
    const char* check;
    const char* title;
    core::Severity severity;
    const char* advice;
};

const SuiteClass kAnonymous{"tls.cipher.anonymous", "anonymous (unauthenticated) cipher suites accepted",
                            core::Severity::kHigh,
                            "Remove aNULL suites: anyone in the path can impersonate the server."};
const SuiteClass kBroken{"tls.cipher.broken", "broken cipher suites accepted (NULL, RC4, DES, 3DES, MD5, export)",
                         core::Severity::kHigh,
                         "Allow only AES-GCM and ChaCha20-Poly1305 suites with ECDHE."};
const SuiteClass kNoForwardSecrecy{"tls.cipher.no_forward_secrecy",
                                   "suites without forward secrecy accepted (static RSA key exchange)",
                                   core::Severity::kMedium,
                                   "Remove kRSA suites so a stolen key cannot decrypt recorded traffic."};
const SuiteClass kCbc{"tls.cipher.cbc_sha1", "CBC-mode or SHA-1-MAC suites accepted",
                      core::Severity::kLow,
                      "Prefer AEAD suites (AES-GCM, ChaCha20-Poly1305); CBC suites have a history of padding-oracle attacks."};

const SuiteClass* classify(const SSL_CIPHER* c) {
    int auth = SSL_CIPHER_get_auth_nid(c);
    int kx = SSL_CIPHER_get_kx_nid(c);
    int cipher = SSL_CIPHER_get_cipher_nid(c);
    int digest = SSL_CIPHER_get_digest_nid(c);
    if (auth == NID_auth_null) {
        return &kAnonymous;
    }
    if (cipher == NID_undef || cipher == NID_rc4 || cipher == NID_des_cbc ||
        cipher == NID_des_ede3_cbc || digest == NID_md5) {
        return &kBroken;
    }
    if (kx == NID_kx_rsa) {
        return &kNoForwardSecrecy;
    }
    if (SSL_CIPHER_is_aead(c) == 0 || digest == NID_sha1) {
        return &kCbc;
    }
    return nullptr;
}

// Suites the server accepts at `version` (≤ TLS 1.2), in the order found.
std::vector<std::string> accepted_suites(const CheckContext& ctx, TlsEntry entry, int version,
                                         std::map<std::string, const SuiteClass*>& classes) {
    std::vector<std::string> out;
    std::string exclude;
    for (int round = 0; round < 200; ++round) {
        TlsOffer offer;
        offer.min_version = version;
        offer.max_version = version;
        offer.sni = ctx.service.host;
        offer.ciphers = "ALL:COMPLEMENTOFALL" + exclude + ":@SECLEVEL=0";
        auto ch = open(ctx, entry, offer);
        if (!ch) {
            break;
        }
        const SSL_CIPHER* c = SSL_get_current_cipher((*ch)->tls()->ssl());
        if (c == nullptr) {
            break;
        }
        std::string name = SSL_CIPHER_get_name(c);
        if (std::find(out.begin(), out.end(), name) != out.end()) {
            break;  // the server ignored our list: stop rather than loop
        }
        out.push_back(name);
        classes[name] = classify(c);
        exclude += ":!" + name;
    }
    return out;
}

// ---- certificate ----------------------------------------------------------------------------

std::string x509_name(X509_NAME* n) {
    char buf[512];
    X509_NAME_oneline(n, buf, sizeof buf);
    return buf;
}

std::string asn1_time(const ASN1_TIME* t) {
    struct tm tm {};
    if (ASN1_TIME_to_tm(t, &tm) != 1) {
        return "?";
    }
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
    return buf;
}

void check_validity(const CheckContext& ctx, X509* cert, std::vector<Finding>& out) {
    std::time_t now = ctx.options.now_unix != 0 ? static_cast<std::time_t>(ctx.options.now_unix)
                                                : std::time(nullptr);
    const ASN1_TIME* nb = X509_get0_notBefore(cert);
    const ASN1_TIME* na = X509_get0_notAfter(cert);
    Finding f = base_finding(ctx);
    f.evidence = "subject " + x509_name(X509_get_subject_name(cert)) + ", valid " +
                 asn1_time(nb) + " to " + asn1_time(na);
    if (X509_cmp_time(na, &now) < 0) {
        f.check = "tls.cert.expired";
        f.severity = core::Severity::kHigh;
        f.title = "certificate expired";
        f.advice = "Renew the certificate (automate renewal, e.g. ACME).";
        out.push_back(f);
    } else if (std::time_t soon = now + std::time_t{86400} * ctx.options.expiry_warning_days;
               X509_cmp_time(na, &soon) < 0) {
        f.check = "tls.cert.expiring";
        f.severity = core::Severity::kLow;
        f.title = "certificate expires within " + std::to_string(ctx.options.expiry_warning_days) + " days";
        f.advice = "Renew the certificate before it expires.";
        out.push_back(f);
    }
    if (X509_cmp_time(nb, &now) > 0) {
        f.check = "tls.cert.not_yet_valid";
        f.severity = core::Severity::kHigh;
        f.title = "certificate not yet valid";
        f.advice = "Check the issuing system's clock and reissue the certificate.";
        out.push_back(f);
    }
}

void check_name(const CheckContext& ctx, X509* cert, std::vector<Finding>& out) {
    std::string name = host_or_address(ctx);
    bool ok = ctx.service.host.empty()
                  ? X509_check_ip_asc(cert, name.c_str(), 0) == 1
                  : X509_check_host(cert, name.c_str(), name.size(), 0, nullptr) == 1;
    if (ok) {
        return;
    }
    Finding f = base_finding(ctx);
    f.check = "tls.cert.wrong_name";
    f.severity = core::Severity::kHigh;
    f.title = "certificate does not name " + name;
    f.evidence = "subject " + x509_name(X509_get_subject_name(cert));
    if (auto* sans = static_cast<GENERAL_NAMES*>(
            X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr))) {
        f.evidence += ", subjectAltName";
        for (int i = 0; i < sk_GENERAL_NAME_num(sans) && i < 20; ++i) {
            const GENERAL_NAME* g = sk_GENERAL_NAME_value(sans, i);
            if (g->type == GEN_DNS) {
                const ASN1_IA5STRING* s = g->d.dNSName;
                f.evidence += " DNS:" + std::string(reinterpret_cast<const char*>(s->data),
                                                    static_cast<std::size_t>(s->length));
            }
        }
        GENERAL_NAMES_free(sans);
    }
    f.advice = "Serve a certificate whose subjectAltName covers " + name + ".";
    out.push_back(f);
}

void check_key(const CheckContext& ctx, X509* cert, std::vector<Finding>& out) {
    EVP_PKEY* key = X509_get0_pubkey(cert);
    int bits = key != nullptr ? EVP_PKEY_get_bits(key) : 0;
    int id = key != nullptr ? EVP_PKEY_get_base_id(key) : 0;
    bool weak = (id == EVP_PKEY_RSA || id == EVP_PKEY_DSA) ? bits < 2048 : bits < 224;
    int sig = X509_get_signature_nid(cert);
    int md = NID_undef;
    int pk = NID_undef;
    OBJ_find_sigid_algs(sig, &md, &pk);
    if (weak && key != nullptr) {
        Finding f = base_finding(ctx);
        f.check = "tls.cert.weak_key";
        f.severity = core::Severity::kHigh;
        f.title = "certificate key is too short";
        f.evidence = std::string(OBJ_nid2sn(id)) + " " + std::to_string(bits) + " bits";
        f.advice = "Use RSA ≥ 2048 bits or an EC key (P-256 or better).";
        out.push_back(f);
    }
    if (md == NID_md5 || md == NID_sha1) {
        Finding f = base_finding(ctx);
        f.check = "tls.cert.weak_signature";
        f.severity = core::Severity::kMedium;
        f.title = "certificate signed with a weak hash";
        f.evidence = OBJ_nid2ln(sig);
        f.advice = "Reissue the certificate with a SHA-256 (or better) signature.";
        out.push_back(f);
    }
}

void check_chain(const CheckContext& ctx, SSL* ssl, X509* cert, std::vector<Finding>& out) {
    Finding f = base_finding(ctx);
    STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
    int sent = chain != nullptr ? sk_X509_num(chain) : 1;
    // Issuer equals subject and the certificate's own key verifies its signature (not
    // X509_check_issued: that also demands keyCertSign, which a self-signed leaf lacks).
    EVP_PKEY* own = X509_get0_pubkey(cert);
    bool self_signed = X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0 &&
                       own != nullptr && X509_verify(cert, own) == 1;
    ERR_clear_error();
    if (self_signed) {
        f.check = "tls.cert.self_signed";
        f.severity = core::Severity::kHigh;
        f.title = "self-signed certificate";
        f.evidence = "issuer = subject = " + x509_name(X509_get_subject_name(cert));
        f.advice = "Use a certificate from a public CA (or your organisation's CA for internal services).";
        out.push_back(f);
        return;
    }
    std::unique_ptr<X509_STORE, X509StoreFree> store(X509_STORE_new());
    X509_STORE_set_default_paths(store.get());
    if (!ctx.options.ca_file.empty()) {
        X509_STORE_load_file(store.get(), ctx.options.ca_file.c_str());
    }
    std::unique_ptr<X509_STORE_CTX, X509StoreCtxFree> vctx(X509_STORE_CTX_new());
    if (!store || !vctx || X509_STORE_CTX_init(vctx.get(), store.get(), cert, chain) != 1) {
        ERR_clear_error();
        return;
    }
    if (ctx.options.now_unix != 0) {
        X509_STORE_CTX_set_time(vctx.get(), 0, static_cast<std::time_t>(ctx.options.now_unix));
    }
    if (X509_verify_cert(vctx.get()) == 1) {
        return;
    }
    int err = X509_STORE_CTX_get_error(vctx.get());
    ERR_clear_error();
    if (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID) {
        return;  // reported by the validity check
    }
    bool incomplete = err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
                      err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT;
    f.check = incomplete ? "tls.cert.short_chain" : "tls.cert.untrusted";
    f.severity = core::Severity::kMedium;
    f.title = incomplete ? "certificate chain incomplete or issuer not trusted"
                         : "certificate chain does not verify";
    f.evidence = std::string(X509_verify_cert_error_string(err)) + "; the server sent " +
                 std::to_string(sent) + " certificate(s); issuer " +
                 x509_name(X509_get_issuer_name(cert));
    f.advice = incomplete ? "Send the intermediate certificates with the leaf, from a CA that clients trust."
                          : "Fix the chain so that it verifies to a trusted root.";
    out.push_back(f);
}

void check_certificate(const CheckContext& ctx, TlsEntry entry, std::vector<Finding>& out) {
    TlsOffer offer;
    offer.sni = ctx.service.host;
    auto ch = open(ctx, entry, offer);
    if (!ch) {
        return;
    }
    SSL* ssl = (*ch)->tls()->ssl();
    internal::X509Ptr cert(SSL_get1_peer_certificate(ssl));
    if (!cert) {
        return;  // anonymous suites only: reported with the suites
    }
    check_validity(ctx, cert.get(), out);
    check_name(ctx, cert.get(), out);
    check_key(ctx, cert.get(), out);
    check_chain(ctx, ssl, cert.get(), out);
}

void suite_findings(const CheckContext& ctx, const std::vector<std::string>& suites,
                    const std::map<std::string, const SuiteClass*>& classes,
                    std::vector<Finding>& out) {
    for (const SuiteClass* cls : {&kAnonymous, &kBroken, &kNoForwardSecrecy, &kCbc}) {
        std::string list;
        for (const std::string& s : suites) {
            auto it = classes.find(s);
            if (it != classes.end() && it->second == cls) {
                list += (list.empty() ? "" : " ") + s;
            }
        }
        if (list.empty()) {
            continue;
        }
        Finding f = base_finding(ctx);
        f.check = cls->check;
        f.severity = cls->severity;
        f.title = cls->title;
        f.evidence = "accepted: " + list;
        f.advice = cls->advice;
        out.push_back(std::move(f));
    }
}

}  // namespace

std::vector<Finding> check_tls(const CheckContext& ctx, TlsEntry entry) {
    std::vector<Finding> out;
    std::vector<std::string> offered;
    int best_legacy = 0;
    for (const Version& v : kVersions) {
        TlsOffer offer;
        offer.min_version = v.id;
        offer.max_version = v.id;
        offer.sni = ctx.service.host;
        auto ch = open(ctx, entry, offer);
        if (!ch) {
            continue;
        }
        offered.emplace_back(v.name);
        if (v.id <= TLS1_2_VERSION) {
            best_legacy = v.id;
        }
        if (v.check[0] != '\0') {
            Finding f = base_finding(ctx);
            f.check = v.check;
            f.severity = v.severity;
            f.title = std::string(v.name) + " offered";
            f.evidence = "handshake completed with " + std::string(v.name) + " only, cipher " +
                         (*ch)->tls()->cipher();
            f.advice = "Disable " + std::string(v.name) + "; allow TLS 1.2 and 1.3 only.";
            out.push_back(std::move(f));
        }
    }
    if (offered.empty()) {
        return out;  // not reachable over TLS this way
    }
    if (std::find(offered.begin(), offered.end(), "TLSv1.2") == offered.end() &&
        std::find(offered.begin(), offered.end(), "TLSv1.3") == offered.end()) {
        Finding f = base_finding(ctx);
        f.check = "tls.protocol.no_modern";
        f.severity = core::Severity::kHigh;
        f.title = "neither TLS 1.2 nor TLS 1.3 offered";
        f.advice = "Enable TLS 1.2 and 1.3.";
        out.push_back(std::move(f));
    }
    Finding info = base_finding(ctx);
    info.check = "tls.protocols";
    info.title = "TLS protocol versions offered";
    for (const std::string& o : offered) {
        info.evidence += (info.evidence.empty() ? "" : " ") + o;
    }
    out.push_back(std::move(info));
    if (best_legacy != 0) {
        std::map<std::string, const SuiteClass*> classes;
        // At the lowest version offered the widest range of legacy suites shows up.
        int lowest = 0;
        for (const Version& v : kVersions) {
            if (lowest == 0 && v.id <= TLS1_2_VERSION &&
                std::find(offered.begin(), offered.end(), v.name) != offered.end()) {
                lowest = v.id;
            }
        }
        auto suites = accepted_suites(ctx, entry, best_legacy, classes);
        if (lowest != best_legacy) {
            for (const std::string& s : accepted_suites(ctx, entry, lowest, classes)) {
                if (std::find(suites.begin(), suites.end(), s) == suites.end()) {
                    suites.push_back(s);
                }
            }
        }
        suite_findings(ctx, suites, classes, out);
        Finding all = base_finding(ctx);
        all.check = "tls.ciphers";
        all.title = std::to_string(suites.size()) + " TLS 1.2-and-older cipher suites accepted";
        for (const std::string& name : suites) {
            all.evidence += (all.evidence.empty() ? "accepted: " : " ") + name;
        }
        out.push_back(std::move(all));
    }
    check_certificate(ctx, entry, out);
    return out;
}

}  // namespace cyberalarm::scan
