// Syslog over TCP (RFC 6587) and over TLS (RFC 5425).
//
// Each connection feeds what it reads to its own parse::Deframer, which detects octet
// counting or LF/NUL framing per frame, cuts over-long frames and counts them, so one bad
// frame never costs the good frames around it. A connection reads again only after the sink
// has taken every complete frame of the last read: with a slow sink the socket's receive
// buffer fills and TCP flow control slows the sender down.
#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <exception>
#include <memory>
#include <string_view>
#include <type_traits>

#include "collector/inputs_impl.h"
#include "collector/inputs_net.h"
#include "parse/framing.h"

namespace cyberalarm::collector::detail {

namespace {

constexpr std::size_t kReadBuffer = std::size_t{16} * 1024;
using TlsStream = asio::ssl::stream<tcp::socket>;
using boost::system::error_code;

// What the connections of one input share. Outlives them: StreamInput::stop() joins the
// I/O thread only after every connection has ended.
struct StreamShared {
    const InputConfig& config;
    InputStats& stats;
    LineSink* sink = nullptr;
    std::size_t index = 0;
};

template <class Stream>
class SyslogConnection final : public Connection,
                               public std::enable_shared_from_this<SyslogConnection<Stream>> {
public:
    SyslogConnection(Stream stream, std::shared_ptr<asio::ssl::context> tls,
                     const core::IpAddress& peer, ConnectionSlot slot, StreamShared& shared)
        : tls_(std::move(tls)),
          stream_(std::move(stream)),
          deadline_(stream_.get_executor()),
          peer_(peer),
          slot_(std::move(slot)),
          shared_(shared),
          deframer_(shared.config.max_frame) {}

    void start() override {
        if constexpr (kTls) {
            handshaking_ = true;
            deadline_.extend(shared_.config.handshake_timeout);
            watch();
            stream_.async_handshake(asio::ssl::stream_base::server,
                                    [self = this->shared_from_this()](const error_code& ec) {
                                        self->on_handshake(ec);
                                    });
        } else {
            deadline_.extend(shared_.config.idle_timeout);
            watch();
            read();
        }
    }

    void close() override {
        if (closed_) {
            return;
        }
        closed_ = true;
        error_code ignored;
        socket().close(ignored);
        deadline_.cancel();
    }

private:
    static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

    tcp::socket& socket() {
        if constexpr (kTls) {
            return stream_.next_layer();
        } else {
            return stream_;
        }
    }

    void watch() {
        deadline_.watch(this->shared_from_this(), [this] {
            if (closed_) {
                return;
            }
            count_deadline(shared_.stats, handshaking_, peer_);
            close();
        });
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
        read();
    }

    void read() {
        stream_.async_read_some(asio::buffer(buffer_),
                                [self = this->shared_from_this()](
                                    const error_code& ec, std::size_t n) { self->on_read(ec, n); });
    }

    void on_read(const error_code& ec, std::size_t n) {
        if (closed_) {
            return;
        }
        if (ec) {
            end_of_stream(ec);
            return;
        }
        deadline_.extend(shared_.config.idle_timeout);
        deframer_.feed(std::string_view(buffer_.data(), n));
        if (!hand_on([this] {
                std::string_view frame;
                while (!closed_ && deframer_.next(&frame)) {
                    sync_stats();  // a cut frame is counted before the sink sees it
                    deliver(frame);
                }
                shared_.sink->flush(shared_.index);  // before reading more
            })) {
            return;
        }
        sync_stats();
        if (!closed_) {
            read();
        }
    }

    // Runs sink calls; a sink that throws (it must not) costs this connection, counted.
    template <class Calls>
    bool hand_on(Calls&& calls) {
        try {
            calls();
            return true;
        } catch (const std::exception& e) {
            shared_.stats.record_error("sink failed on a line from " + peer_.to_string() + ": " +
                                       e.what());
        } catch (...) {
            shared_.stats.record_error("sink failed on a line from " + peer_.to_string());
        }
        close();
        return false;
    }

    void end_of_stream(const error_code& ec) {
        if (is_clean_close(ec)) {
            // A sender may close right after a last frame without a trailing LF.
            hand_on([this] {
                std::string_view frame;
                while (deframer_.finish(&frame)) {
                    deliver(frame);
                }
                shared_.sink->flush(shared_.index);
            });
        } else if (ec != asio::error::connection_reset && ec != asio::error::operation_aborted) {
            shared_.stats.note("reading from " + peer_.to_string() + ": " + describe(ec));
        }
        sync_stats();
        close();
    }

    void deliver(std::string_view frame) {
        if (frame.empty()) {
            return;
        }
        shared_.sink->on_line(shared_.index, frame, peer_);
        shared_.stats.frames.fetch_add(1, std::memory_order_relaxed);
        shared_.stats.bytes.fetch_add(frame.size(), std::memory_order_relaxed);
    }

    // The deframer counts cut and malformed frames; pass on what is new since last time.
    void sync_stats() {
        const parse::FramingStats& f = deframer_.stats();
        shared_.stats.oversize.fetch_add(f.oversize - seen_.oversize, std::memory_order_relaxed);
        shared_.stats.malformed.fetch_add(f.malformed - seen_.malformed, std::memory_order_relaxed);
        seen_ = f;
    }

    std::shared_ptr<asio::ssl::context> tls_;  // the stream's SSL* refers to it
    Stream stream_;
    Deadline deadline_;
    core::IpAddress peer_;
    ConnectionSlot slot_;
    StreamShared& shared_;
    parse::Deframer deframer_;
    parse::FramingStats seen_;
    std::array<char, kReadBuffer> buffer_{};
    bool handshaking_ = false;
    bool closed_ = false;
};

class StreamInput final : public Input {
public:
    explicit StreamInput(const InputConfig& config)
        : Input(config),
          io_(stats_),
          acceptor_(io_.context(), config_, stats_),
          shared_{config_, stats_} {}
    ~StreamInput() override { stop(); }

    core::Result<void> bind() override {
        if (config_.kind == InputKind::kTls) {
            auto tls = make_tls_context(config_);
            if (!tls) {
                return core::fail(tls.error());
            }
            tls_ = *tls;
        }
        return acceptor_.bind();
    }

    std::uint16_t bound_port() const override { return acceptor_.port(); }

    core::Result<void> start(LineSink& sink, std::size_t index) override {
        if (started_) {
            return core::fail(core::Error::internal("input '" + config_.name + "' started twice"));
        }
        started_ = true;
        shared_.sink = &sink;
        shared_.index = index;
        acceptor_.start([this](tcp::socket socket, const core::IpAddress& peer,
                               ConnectionSlot slot) -> std::shared_ptr<Connection> {
            if (tls_) {
                return std::make_shared<SyslogConnection<TlsStream>>(
                    TlsStream(std::move(socket), *tls_), tls_, peer, std::move(slot), shared_);
            }
            return std::make_shared<SyslogConnection<tcp::socket>>(std::move(socket), nullptr, peer,
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
    }

    InputStatsSnapshot stats() const override { return stats_.snapshot(); }

private:
    InputStats stats_;
    IoThread io_;
    StreamAcceptor acceptor_;
    std::shared_ptr<asio::ssl::context> tls_;
    StreamShared shared_;
    bool started_ = false;
    bool stopped_ = false;
};

}  // namespace

std::unique_ptr<Input> make_stream_input(const InputConfig& config) {
    return std::make_unique<StreamInput>(config);
}

}  // namespace cyberalarm::collector::detail
