#include "collector/inputs_test_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <thread>

namespace cyberalarm::test {

void RecordingSink::on_line(std::size_t input_index, std::string_view line,
                            const core::IpAddress& peer) {
    if (before_accept) {
        before_accept(line);
    }
    std::lock_guard lock(mu_);
    lines_.emplace_back(line);
    peers_.push_back(peer);
    indexes_.push_back(input_index);
    ++unflushed_;
    cv_.notify_all();
}

void RecordingSink::flush(std::size_t /*input_index*/) {
    if (before_flush) {
        before_flush();
    }
    std::lock_guard lock(mu_);
    unflushed_ = 0;
}

std::size_t RecordingSink::unflushed() const {
    std::lock_guard lock(mu_);
    return unflushed_;
}

bool RecordingSink::wait_for(std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return lines_.size() >= n; });
}

std::vector<std::string> RecordingSink::lines() const {
    std::lock_guard lock(mu_);
    return lines_;
}

std::vector<core::IpAddress> RecordingSink::peers() const {
    std::lock_guard lock(mu_);
    return peers_;
}

std::vector<std::size_t> RecordingSink::indexes() const {
    std::lock_guard lock(mu_);
    return indexes_;
}

std::size_t RecordingSink::count() const {
    std::lock_guard lock(mu_);
    return lines_.size();
}

void Gate::wait() {
    std::unique_lock lock(mu_);
    waiting_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
}

void Gate::open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
}

bool Gate::wait_for_waiter(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return waiting_; });
}

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
        if (pred()) {
            return true;
        }
        std::this_thread::sleep_for(5ms);
    }
    return pred();
}

namespace {

void set_receive_timeout(int fd, std::chrono::milliseconds timeout) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

int connect_loopback(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

}  // namespace

TcpClient::TcpClient(std::uint16_t port) : fd_(connect_loopback(port)) {
    if (fd_ >= 0) {
        set_receive_timeout(fd_, 5s);
        int on = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    }
}

TcpClient::~TcpClient() {
    close();
}

bool TcpClient::send(std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

bool TcpClient::closed_by_peer() {
    char c = 0;
    for (;;) {
        ssize_t n = ::recv(fd_, &c, 1, 0);
        if (n == 0) {
            return true;
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno != EAGAIN && errno != EWOULDBLOCK;
        }
    }
}

void TcpClient::close() {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

void send_udp(std::uint16_t port, std::string_view datagram, bool ipv6) {
    int fd = ::socket(ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        throw std::runtime_error("socket");
    }
    if (ipv6) {
        sockaddr_in6 addr{};
        addr.sin6_family = AF_INET6;
        addr.sin6_port = htons(port);
        addr.sin6_addr = in6addr_loopback;
        ::sendto(fd, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&addr),
                 sizeof addr);
    } else {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::sendto(fd, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&addr),
                 sizeof addr);
    }
    ::close(fd);
}

// --- certificates ---

namespace {

struct Free {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
    void operator()(X509* p) const { X509_free(p); }
    void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
    void operator()(SSL* p) const { SSL_free(p); }
};

struct Issued {
    std::unique_ptr<EVP_PKEY, Free> key;
    std::unique_ptr<X509, Free> cert;
};

void check(bool ok, const char* what) {
    if (!ok) {
        throw std::runtime_error(std::string("test PKI: ") + what);
    }
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value);
    check(ext != nullptr, "extension");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

Issued issue(const std::string& cn, const Issued* ca, bool is_ca, bool server) {
    static long serial = 1;
    Issued out;
    out.key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    check(out.key != nullptr, "keygen");
    out.cert.reset(X509_new());
    X509* x = out.cert.get();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, out.key.get());
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509* issuer = ca != nullptr ? ca->cert.get() : x;
    X509_set_issuer_name(x, X509_get_subject_name(issuer));
    add_ext(x, issuer, NID_subject_key_identifier, "hash");
    if (is_ca) {
        add_ext(x, issuer, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(x, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_ext(x, issuer, NID_authority_key_identifier, "keyid:always");
        add_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE");
        add_ext(x, issuer, NID_key_usage, "critical,digitalSignature");
        add_ext(x, issuer, NID_ext_key_usage, server ? "serverAuth" : "clientAuth");
        if (server) {
            add_ext(x, issuer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
        }
    }
    EVP_PKEY* signer = ca != nullptr ? ca->key.get() : out.key.get();
    check(X509_sign(x, signer, EVP_sha256()) > 0, "sign");
    return out;
}

void write_cert(const std::filesystem::path& path, X509* cert) {
    FILE* f = std::fopen(path.c_str(), "w");
    check(f != nullptr, "open cert file");
    PEM_write_X509(f, cert);
    std::fclose(f);
}

TestCertFiles write(const std::filesystem::path& dir, const std::string& name,
                    const Issued& issued) {
    TestCertFiles files{dir / (name + ".pem"), dir / (name + ".key")};
    write_cert(files.cert, issued.cert.get());
    FILE* f = std::fopen(files.key.c_str(), "w");
    check(f != nullptr, "open key file");
    PEM_write_PrivateKey(f, issued.key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    return files;
}

}  // namespace

TestPki::TestPki(const std::filesystem::path& dir) {
    Issued ca = issue("cyberalarm test CA", nullptr, true, false);
    Issued other = issue("someone else's CA", nullptr, true, false);
    ca_ = dir / "ca.pem";
    write_cert(ca_, ca.cert.get());
    server_ = write(dir, "server", issue("localhost", &ca, false, true));
    client_ = write(dir, "client", issue("firewall-1", &ca, false, false));
    other_client_ = write(dir, "other-client", issue("firewall-1", &other, false, false));
}

TlsResult send_tls(std::uint16_t port, const std::filesystem::path& ca, const TestCertFiles* client,
                   std::string_view bytes) {
    TlsResult result;
    std::unique_ptr<SSL_CTX, Free> ctx(SSL_CTX_new(TLS_client_method()));
    check(ctx != nullptr, "SSL_CTX_new");
    check(SSL_CTX_load_verify_locations(ctx.get(), ca.c_str(), nullptr) == 1, "load CA");
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    if (client != nullptr) {
        check(SSL_CTX_use_certificate_chain_file(ctx.get(), client->cert.c_str()) == 1,
              "client cert");
        check(SSL_CTX_use_PrivateKey_file(ctx.get(), client->key.c_str(), SSL_FILETYPE_PEM) == 1,
              "client key");
    }
    int fd = connect_loopback(port);
    check(fd >= 0, "connect");
    set_receive_timeout(fd, 2s);
    std::unique_ptr<SSL, Free> ssl(SSL_new(ctx.get()));
    SSL_set_fd(ssl.get(), fd);
    SSL_set1_host(ssl.get(), "localhost");
    result.handshake_ok = SSL_connect(ssl.get()) == 1;
    if (result.handshake_ok) {
        result.write_ok = SSL_write(ssl.get(), bytes.data(), static_cast<int>(bytes.size())) ==
                          static_cast<int>(bytes.size());
        // A refusal of the client certificate arrives now (TLS 1.3) as an alert. A server
        // that accepted us says nothing, and the read times out.
        set_receive_timeout(fd, 500ms);
        char c = 0;
        errno = 0;
        int n = SSL_read(ssl.get(), &c, 1);
        if (n <= 0) {
            int err = SSL_get_error(ssl.get(), n);
            bool timed_out = err == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK);
            bool want = err == SSL_ERROR_WANT_READ;
            result.refused = !timed_out && !want;
        }
        SSL_shutdown(ssl.get());
    }
    ERR_clear_error();
    ::close(fd);
    return result;
}

}  // namespace cyberalarm::test
