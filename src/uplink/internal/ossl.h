// RAII owners for OpenSSL handles and the error-queue helper the uplink shares.
#pragma once

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace cyberalarm::uplink::internal {

template <auto Fn>
struct OsslFree {
    template <typename T>
    void operator()(T* p) const {
        Fn(p);
    }
};

using BioPtr = std::unique_ptr<BIO, OsslFree<BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, OsslFree<X509_free>>;
using X509ReqPtr = std::unique_ptr<X509_REQ, OsslFree<X509_REQ_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, OsslFree<X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OsslFree<X509_STORE_CTX_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OsslFree<EVP_PKEY_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OsslFree<BN_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OsslFree<GENERAL_NAMES_free>>;

// The oldest error in this thread's OpenSSL queue as text (the queue is cleared), or
// "unknown error".
inline std::string openssl_error_text() {
    unsigned long code = ERR_get_error();
    std::string text = "unknown error";
    if (code != 0) {
        char buf[256];
        ERR_error_string_n(code, buf, sizeof buf);
        text = buf;
    }
    ERR_clear_error();
    return text;
}

inline core::Error openssl_error(core::ErrorCode code, std::string_view what) {
    return core::Error(code, std::string(what) + ": " + openssl_error_text());
}

// A read-only memory BIO over `data` (not copied; must outlive the BIO).
inline BioPtr memory_bio(std::string_view data) {
    return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

// The contents of a memory BIO.
inline std::string bio_string(BIO* bio) {
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

// The first PEM certificate in `pem`, or null.
inline X509Ptr read_certificate(std::string_view pem) {
    auto bio = memory_bio(pem);
    if (!bio) {
        return nullptr;
    }
    return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

}  // namespace cyberalarm::uplink::internal
