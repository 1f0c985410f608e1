// RELP (reliable event logging protocol) with Debian's librelp.
//
// librelp acknowledges a message after the receive callback returns, and the callback
// returns only after LineSink::on_line() did, i.e. after the line is in the spool: a sender
// (rsyslog omrelp) that sees an ack can forget the message, and one that loses the
// connection before the ack sends it again. That is what makes RELP lossless.
//
// librelp has no cap on sessions and no idle timeout, so it does not face the network.
// Senders connect to this input's own acceptor (the same one the TCP and TLS inputs use:
// connection cap, idle timeout, TLS termination), and each accepted connection is relayed
// byte for byte to librelp listening on 127.0.0.1 only. So that the callback — which
// librelp tells only the peer's IP — can name the real sender, each relayed connection
// comes from its own loopback address (127.64.0.0/10, all of which Linux routes to lo):
// the relay records which sender that address stands for.
//
// Threads: the acceptor and relays run on the input's I/O thread; librelp runs its engine
// (epoll loop and callback) on a thread of its own.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>
#include <unistd.h>

extern "C" {
#include <librelp.h>
}

#include <array>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <unordered_map>

#include "collector/inputs_impl.h"
#include "collector/inputs_net.h"
#include "collector/inputs_tail_state.h"

namespace cyberalarm::collector::detail {

namespace {

using TlsStream = asio::ssl::stream<tcp::socket>;
using boost::system::error_code;

constexpr std::size_t kRelayBuffer = std::size_t{16} * 1024;
constexpr std::chrono::milliseconds kShutdownGrace{1000};
constexpr std::uint32_t kAliasBase = 0x7F400000;  // 127.64.0.0
constexpr std::uint32_t kAliasCount = 1u << 22;   // up to 127.127.255.255

// Which sender each loopback alias stands for. Written on the I/O thread, read on
// librelp's thread.
class PeerBook {
public:
    // A free alias (host order, offset from kAliasBase), or 0 if all are taken.
    std::uint32_t add(const core::IpAddress& peer) {
        std::lock_guard lock(mu_);
        for (std::uint32_t tries = 0; tries < kAliasCount; ++tries) {
            std::uint32_t alias = next_;
            next_ = next_ + 1 < kAliasCount ? next_ + 1 : 1;
            if (peers_.emplace(alias, peer).second) {
                return alias;
            }
        }
        return 0;
    }
    void remove(std::uint32_t alias) {
        std::lock_guard lock(mu_);
        peers_.erase(alias);
    }
    // The sender behind librelp's view of a session's IP; that IP itself if it is not one
    // of ours (a local process that connected to librelp directly).
    core::IpAddress find(const char* ip) const {
        auto parsed = core::IpAddress::parse(ip == nullptr ? "" : ip);
        if (!parsed) {
            return {};
        }
        if (parsed->is_v4() && parsed->v4_value() >= kAliasBase &&
            parsed->v4_value() - kAliasBase < kAliasCount) {
            std::lock_guard lock(mu_);
            auto it = peers_.find(parsed->v4_value() - kAliasBase);
            if (it != peers_.end()) {
                return it->second;
            }
            return {};  // the relay has already gone
        }
        return *parsed;
    }

private:
    mutable std::mutex mu_;
    std::unordered_map<std::uint32_t, core::IpAddress> peers_;
    std::uint32_t next_ = 1;
};

struct RelpShared {
    const InputConfig& config;
    InputStats& stats;
    PeerBook peers;
    tcp::endpoint backend;  // librelp's loopback listener
};

// One sender's connection, relayed to librelp.
template <class Stream>
class RelpRelay final : public Connection, public std::enable_shared_from_this<RelpRelay<Stream>> {
public:
    RelpRelay(Stream front, std::shared_ptr<asio::ssl::context> tls, const core::IpAddress& peer,
              ConnectionSlot slot, RelpShared& shared)
        : tls_(std::move(tls)),
          front_(std::move(front)),
          back_(front_.get_executor()),
          deadline_(front_.get_executor()),
          peer_(peer),
          slot_(std::move(slot)),
          shared_(shared) {}
    ~RelpRelay() override {
        if (alias_ != 0) {
            shared_.peers.remove(alias_);
        }
    }

    void start() override {
        alias_ = shared_.peers.add(peer_);
        if (alias_ == 0) {
            shared_.stats.record_error("relp: no loopback alias free");
            close();
            return;
        }
        handshaking_ = kTls;
        deadline_.extend(kTls ? shared_.config.handshake_timeout : shared_.config.idle_timeout);
        deadline_.watch(this->shared_from_this(), [this] { on_deadline(); });
        if constexpr (kTls) {
            front_.async_handshake(asio::ssl::stream_base::server,
                                   [self = this->shared_from_this()](const error_code& ec) {
                                       self->on_handshake(ec);
                                   });
        } else {
            connect_backend();
        }
    }

    void close() override {
        if (closed_) {
            return;
        }
        closed_ = true;
        error_code ignored;
        front_socket().close(ignored);
        back_.close(ignored);
        deadline_.cancel();
    }

    // The input stops: drop the sender, but let librelp see the end of the stream and close
    // the session itself (within kShutdownGrace). A session still open when the engine is
    // destroyed leaks librelp's epoll record for it.
    void shutdown() override {
        if (closed_ || stopping_) {
            return;
        }
        if (!connected_) {
            close();
            return;
        }
        stopping_ = true;
        error_code ignored;
        front_socket().close(ignored);
        back_.shutdown(tcp::socket::shutdown_send, ignored);
        deadline_.extend(kShutdownGrace);
    }

private:
    static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

    tcp::socket& front_socket() {
        if constexpr (kTls) {
            return front_.next_layer();
        } else {
            return front_;
        }
    }

    void on_deadline() {
        if (closed_) {
            return;
        }
        if (stopping_) {
            close();
            return;
        }
        count_deadline(shared_.stats, handshaking_, peer_);
        close();
    }

    void on_handshake(const error_code& ec) {
        if (closed_) {
            return;
        }
        if (ec) {
            count_handshake_failure(shared_.stats, peer_, ec);
            close();
            return;
        }
        handshaking_ = false;
        deadline_.extend(shared_.config.idle_timeout);
        connect_backend();
    }

    void connect_backend() {
        error_code ec;
        back_.open(tcp::v4(), ec);
        if (!ec) {
            back_.bind(tcp::endpoint(asio::ip::address_v4(kAliasBase + alias_), 0), ec);
        }
        if (ec) {
            shared_.stats.record_error("relp: cannot reach librelp: " + describe(ec));
            close();
            return;
        }
        back_.async_connect(
            shared_.backend, [self = this->shared_from_this()](const error_code& connect_ec) {
                if (self->closed_) {
                    return;
                }
                if (connect_ec) {
                    self->shared_.stats.record_error("relp: cannot reach librelp: " +
                                                     describe(connect_ec));
                    self->close();
                    return;
                }
                self->connected_ = true;
                self->pump_up();
                self->pump_down();
            });
    }

    // Sender → librelp. The next read waits for the write, so a librelp that stops
    // reading (its callback blocked on the sink) stops the sender too.
    void pump_up() {
        auto self = this->shared_from_this();
        front_.async_read_some(asio::buffer(up_), [self](const error_code& ec, std::size_t n) {
            if (self->closed_ || self->stopping_) {
                return;
            }
            if (ec) {
                self->sender_done(ec);
                return;
            }
            self->deadline_.extend(self->shared_.config.idle_timeout);
            asio::async_write(self->back_, asio::buffer(self->up_.data(), n),
                              [self](const error_code& write_ec, std::size_t) {
                                  if (self->closed_ || self->stopping_) {
                                      return;
                                  }
                                  if (write_ec) {
                                      self->close();
                                      return;
                                  }
                                  self->pump_up();
                              });
        });
    }

    // librelp → sender (the acks). While stopping, what librelp still sends is read and
    // dropped until it closes the session.
    void pump_down() {
        auto self = this->shared_from_this();
        back_.async_read_some(asio::buffer(down_), [self](const error_code& ec, std::size_t n) {
            if (self->closed_) {
                return;
            }
            if (ec) {
                self->close();  // librelp ended the session
                return;
            }
            if (self->stopping_) {
                self->pump_down();
                return;
            }
            self->deadline_.extend(self->shared_.config.idle_timeout);
            asio::async_write(self->front_, asio::buffer(self->down_.data(), n),
                              [self](const error_code& write_ec, std::size_t) {
                                  if (self->closed_) {
                                      return;
                                  }
                                  if (write_ec && !self->stopping_) {
                                      self->close();
                                      return;
                                  }
                                  self->pump_down();
                              });
        });
    }

    // The sender closed its side: let librelp answer what it has, then it closes too.
    void sender_done(const error_code& ec) {
        if (!is_clean_close(ec)) {
            close();
            return;
        }
        error_code ignored;
        back_.shutdown(tcp::socket::shutdown_send, ignored);
    }

    std::shared_ptr<asio::ssl::context> tls_;
    Stream front_;
    tcp::socket back_;
    Deadline deadline_;
    core::IpAddress peer_;
    ConnectionSlot slot_;
    RelpShared& shared_;
    std::uint32_t alias_ = 0;
    std::array<char, kRelayBuffer> up_{};
    std::array<char, kRelayBuffer> down_{};
    bool handshaking_ = false;
    bool connected_ = false;  // to librelp
    bool stopping_ = false;
    bool closed_ = false;
};

unsigned char* relp_text(std::string& s) {
    return reinterpret_cast<unsigned char*>(s.data());
}

class RelpInput final : public Input {
public:
    explicit RelpInput(const InputConfig& config)
        : Input(config),
          io_(stats_),
          acceptor_(io_.context(), config_, stats_),
          shared_{config_, stats_, {}, {}} {}
    ~RelpInput() override {
        stop();
        if (engine_ != nullptr) {
            relpEngineDestruct(&engine_);
        }
    }

    core::Result<void> bind() override {
        if (!config_.tls_cert.empty()) {
            auto tls = make_tls_context(config_);
            if (!tls) {
                return core::fail(tls.error());
            }
            tls_ = *tls;
        }
        if (auto ok = acceptor_.bind(); !ok) {
            return ok;
        }
        return start_librelp_listener();
    }

    std::uint16_t bound_port() const override { return acceptor_.port(); }

    core::Result<void> start(LineSink& sink, std::size_t index) override {
        if (started_ || engine_ == nullptr) {
            return core::fail(core::Error::internal("input '" + config_.name +
                                                    "': start() needs one successful bind()"));
        }
        started_ = true;
        sink_ = &sink;
        index_ = index;
        engine_thread_ = std::thread([this] {
            relpEngineRun(engine_);
            std::lock_guard lock(engine_mu_);
            engine_done_ = true;
            engine_cv_.notify_all();
        });
        acceptor_.start([this](tcp::socket socket, const core::IpAddress& peer,
                               ConnectionSlot slot) -> std::shared_ptr<Connection> {
            if (tls_) {
                return std::make_shared<RelpRelay<TlsStream>>(TlsStream(std::move(socket), *tls_),
                                                              tls_, peer, std::move(slot), shared_);
            }
            return std::make_shared<RelpRelay<tcp::socket>>(std::move(socket), nullptr, peer,
                                                            std::move(slot), shared_);
        });
        io_.start();
        return {};
    }

    void stop() override {
        if (started_ && !stopped_) {
            asio::post(io_.context(), [this] { acceptor_.close_all(); });
        }
        stopped_ = true;
        io_.stop();
        stop_engine();
    }

    InputStatsSnapshot stats() const override { return stats_.snapshot(); }

private:
    core::Result<void> start_librelp_listener() {
        auto fail = [&](const std::string& what, int rc) {
            return core::fail(core::Error::internal("input '" + config_.name + "': librelp " +
                                                    what + " failed (code " + std::to_string(rc) +
                                                    ")"));
        };
        int rc = relpEngineConstruct(&engine_);
        if (rc != RELP_RET_OK) {
            engine_ = nullptr;
            return fail("engine construction", rc);
        }
        relpEngineSetDbgprint(engine_, nullptr);
        relpEngineSetShutdownImmdtPtr(engine_, &shutdown_now_);
        relpEngineSetFamily(engine_, AF_INET);
        relpEngineSetDnsLookupMode(engine_, 0);  // never resolve senders' names
        std::string syslog_cmd = "syslog";
        relpEngineSetEnableCmd(engine_, relp_text(syslog_cmd), eRelpCmdState_Required);
        relpEngineSetSyslogRcv2(engine_, &RelpInput::on_syslog);
        relpEngineSetOnErr(engine_, &RelpInput::on_error);

        // A loopback port for librelp: hold an ephemeral one bound (not listening) with
        // SO_REUSEADDR, which librelp also sets, while librelp binds it, so that no other
        // socket can take it in between.
        UniqueFd probe(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        int on = 1;
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (!probe.valid() ||
            ::setsockopt(probe.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
            ::bind(probe.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
            ::getsockname(probe.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
            return core::fail(
                core::Error::io("input '" + config_.name +
                                "': no loopback port for librelp: " + errno_text(errno)));
        }
        std::uint16_t port = ntohs(addr.sin_port);
        std::string port_text = std::to_string(port);
        std::string loopback = "127.0.0.1";
        relpSrv_t* server = nullptr;
        if ((rc = relpEngineListnerConstruct(engine_, &server)) != RELP_RET_OK) {
            return fail("listener construction", rc);
        }
        relpSrvSetUsrPtr(server, this);
        relpSrvSetLstnAddr(server, relp_text(loopback));
        relpSrvSetLstnPort(server, relp_text(port_text));
        // librelp cuts a longer message silently: one byte more than max_frame lets the
        // callback tell a cut message from one of exactly max_frame bytes, and count it.
        relpSrvSetMaxDataSize(server, config_.max_frame + 1);
        relpSrvSetOversizeMode(server, RELP_OVERSIZE_TRUNCATE);
        if ((rc = relpEngineListnerConstructFinalize(engine_, server)) != RELP_RET_OK) {
            return fail("listen on 127.0.0.1:" + port_text, rc);
        }
        shared_.backend = tcp::endpoint(asio::ip::address_v4::loopback(), port);
        return {};
    }

    // librelp's receive callback, on its engine thread. librelp acks the message when this
    // returns; it ignores the return value.
    static relpRetVal on_syslog(void* user, unsigned char* /*hostname*/, unsigned char* ip,
                                unsigned char* message, size_t length) {
        auto* self = static_cast<RelpInput*>(user);
        std::string_view line(reinterpret_cast<const char*>(message), length);
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
            line.remove_suffix(1);
        }
        if (self == nullptr || line.empty()) {
            return RELP_RET_OK;
        }
        if (line.size() > self->config_.max_frame) {
            line = line.substr(0, self->config_.max_frame);
            self->stats_.oversize.fetch_add(1, std::memory_order_relaxed);
        }
        try {
            core::IpAddress peer = self->shared_.peers.find(reinterpret_cast<const char*>(ip));
            self->sink_->on_line(self->index_, line, peer);
            self->sink_->flush(self->index_);  // accepted before librelp acks it
            self->stats_.frames.fetch_add(1, std::memory_order_relaxed);
            self->stats_.bytes.fetch_add(line.size(), std::memory_order_relaxed);
        } catch (const std::exception& e) {
            // No exception may cross librelp's C frames. The message is acked regardless.
            self->stats_.record_error(std::string("relp: sink failed: ") + e.what());
        } catch (...) {
            self->stats_.record_error("relp: sink failed");
        }
        return RELP_RET_OK;
    }

    static void on_error(void* user, char* /*object*/, char* message, relpRetVal code) {
        auto* self = static_cast<RelpInput*>(user);
        if (self == nullptr) {
            return;
        }
        std::string text = message == nullptr ? "" : std::string(message).substr(0, 200);
        self->stats_.record_error("librelp (code " + std::to_string(code) + "): " + text);
    }

    // relpEngineRun() sleeps in epoll_wait() with no timeout: raise the stop flag, then
    // knock on its listener until the loop has noticed.
    void stop_engine() {
        if (!engine_thread_.joinable()) {
            return;
        }
        __atomic_store_n(&shutdown_now_, 1, __ATOMIC_SEQ_CST);
        relpEngineSetStop(engine_);
        std::unique_lock lock(engine_mu_);
        while (!engine_done_) {
            lock.unlock();
            knock();
            lock.lock();
            engine_cv_.wait_for(lock, std::chrono::milliseconds(50),
                                [this] { return engine_done_; });
        }
        lock.unlock();
        engine_thread_.join();
    }

    void knock() {
        UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(shared_.backend.port());
        if (fd.valid()) {
            // Whether it connects does not matter: the attempt wakes epoll_wait (or the
            // engine has gone already, and stop_engine() sees it finished).
            (void)::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        }
    }

    InputStats stats_;
    IoThread io_;
    StreamAcceptor acceptor_;
    std::shared_ptr<asio::ssl::context> tls_;
    RelpShared shared_;
    relpEngine_t* engine_ = nullptr;
    int shutdown_now_ = 0;  // librelp reads it through a plain int*
    std::thread engine_thread_;
    std::mutex engine_mu_;
    std::condition_variable engine_cv_;
    bool engine_done_ = false;
    LineSink* sink_ = nullptr;
    std::size_t index_ = 0;
    bool started_ = false;
    bool stopped_ = false;
};

}  // namespace

std::unique_ptr<Input> make_relp_input(const InputConfig& config) {
    return std::make_unique<RelpInput>(config);
}

}  // namespace cyberalarm::collector::detail
