// One TLS connection: handshake, then requests one after the other, each under its deadlines
// (listener.h). Every step runs on the connection's strand; services run on the listener's
// handler pool and their answer is posted back to the strand.
#include <cctype>

#include "server/certs.h"
#include "server/internal/listener_impl.h"
#include "uplink/messages.h"

namespace cyberalarm::server::internal {

namespace {

constexpr std::chrono::seconds kLinger{2};

bool is_timeout(beast::error_code ec) {
    return ec == beast::error::timeout;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

}  // namespace

Session::Session(tcp::socket socket, ListenerCore& core)
    : stream_(std::move(socket), core.tls), core_(core) {
    beast::error_code ec;
    auto ep = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) {
        peer_ = ep.address().to_string();
    }
    core_.counters.active.fetch_add(1);
    core_.counters.connections.fetch_add(1);
}

Session::~Session() {
    core_.counters.active.fetch_sub(1);
    core_.remove(this);
}

void Session::run() {
    beast::get_lowest_layer(stream_).expires_after(core_.options.handshake_timeout);
    stream_.async_handshake(ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) {
                                self->on_handshake(ec);
                            });
}

void Session::request_stop() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->stop(); });
}

void Session::stop() {
    if (phase_ == Phase::kHandshake || phase_ == Phase::kIdle) {
        phase_ = Phase::kClosing;
        beast::error_code ignored;
        beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
        beast::get_lowest_layer(stream_).cancel();
    }
}

void Session::on_handshake(beast::error_code ec) {
    if (ec) {
        core_.counters.handshake_failures.fetch_add(1);
        return;  // a certificate that does not verify ends here, before any HTTP
    }
    bool presented = false;
    cert_ = verified_peer(stream_.native_handle(), presented);
    wait_request();
}

// Waits for the first byte of the next request under the idle deadline, so that the header
// deadline counts from when the client starts sending.
void Session::wait_request() {
    if (core_.stopping.load()) {
        close(false);
        return;
    }
    phase_ = Phase::kIdle;
    if (buffer_.size() > 0) {  // pipelined bytes already read
        read_header();
        return;
    }
    beast::get_lowest_layer(stream_).expires_after(core_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(1024), [self = shared_from_this()](
                                                       beast::error_code ec, std::size_t n) {
        if (ec || self->phase_ != Phase::kIdle) {
            self->count_failure(ec);
            return;
        }
        self->buffer_.commit(n);
        self->read_header();
    });
}

void Session::read_header() {
    phase_ = Phase::kHeader;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(core_.options.max_header_bytes));
    parser_->body_limit(core_.options.max_body_bytes);
    beast::get_lowest_layer(stream_).expires_after(core_.options.header_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                self->on_header(ec);
                            });
}

HttpRequest Session::head_request() const {
    const auto& msg = parser_->get();
    HttpRequest req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    for (const auto& field : msg) {
        req.headers.emplace(lower(field.name_string()), std::string(field.value()));
    }
    req.peer_address = peer_;
    req.client_certificate = cert_;
    return req;
}

void Session::on_header(beast::error_code ec) {
    if (ec == http::error::header_limit) {
        core_.counters.too_large.fetch_add(1);
        refuse(431, "request headers too large", true);
        return;
    }
    if (ec == http::error::body_limit) {  // Content-Length above the listener's limit
        core_.counters.too_large.fetch_add(1);
        refuse(413, "request body too large", true);
        return;
    }
    if (ec) {
        if (ec != http::error::end_of_stream && !is_timeout(ec) && ec != asio::error::eof &&
            ec != ssl::error::stream_truncated && ec != asio::error::operation_aborted) {
            refuse(400, "malformed HTTP request", true);
            return;
        }
        count_failure(ec);
        return;
    }
    core_.counters.requests.fetch_add(1);
    if (core_.head_check) {
        HeadVerdict verdict = core_.head_check(head_request());
        if (verdict.refuse) {
            respond(std::move(*verdict.refuse), false, !parser_->is_done());
            return;
        }
        if (verdict.max_body_bytes != 0 && verdict.max_body_bytes < core_.options.max_body_bytes) {
            const auto declared = parser_->content_length();
            if (declared && *declared > verdict.max_body_bytes) {
                core_.counters.too_large.fetch_add(1);
                refuse(413, "request body too large", true);
                return;
            }
            parser_->body_limit(verdict.max_body_bytes);
        }
    }
    if (parser_->is_done()) {
        dispatch();
        return;
    }
    phase_ = Phase::kBody;
    beast::get_lowest_layer(stream_).expires_after(core_.options.body_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code rec, std::size_t) {
                         self->on_body(rec);
                     });
}

void Session::on_body(beast::error_code ec) {
    if (ec == http::error::body_limit) {
        core_.counters.too_large.fetch_add(1);
        refuse(413, "request body too large", true);
        return;
    }
    if (ec) {
        count_failure(ec);
        return;
    }
    dispatch();
}

void Session::dispatch() {
    phase_ = Phase::kHandling;
    beast::get_lowest_layer(stream_).expires_never();
    HttpRequest req = head_request();
    req.body = std::move(parser_->get().body());
    const bool keep_alive = parser_->get().keep_alive();
    asio::post(*core_.pool, [self = shared_from_this(), req = std::move(req), keep_alive]() {
        HttpResponse res = self->core_.call(req);
        asio::post(self->stream_.get_executor(),
                   [self, res = std::move(res), keep_alive]() mutable {
                       self->respond(std::move(res), keep_alive);
                   });
    });
}

void Session::refuse(int status, std::string_view reason, bool body_unread) {
    HttpResponse res;
    res.status = status;
    res.body = uplink::error_json(reason);
    respond(std::move(res), false, body_unread);
}

void Session::respond(HttpResponse response, bool keep_alive, bool body_unread) {
    phase_ = Phase::kWriting;
    close_after_write_ = !keep_alive || core_.stopping.load();
    linger_after_write_ = body_unread;
    res_ = {};
    res_.version(11);
    res_.result(static_cast<unsigned>(response.status));
    res_.set(http::field::content_type, response.content_type);
    for (auto& [name, value] : response.headers) {
        res_.set(name, value);
    }
    res_.set(http::field::strict_transport_security,
             "max-age=" + std::to_string(core_.options.hsts_max_age_s));
    res_.set("X-Content-Type-Options", "nosniff");
    res_.keep_alive(!close_after_write_);
    res_.body() = std::move(response.body);
    res_.prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(core_.options.write_timeout);
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec,
                                                                std::size_t) {
        self->on_written(ec);
    });
}

void Session::on_written(beast::error_code ec) {
    if (ec) {
        count_failure(ec);
        return;
    }
    if (close_after_write_) {
        close(linger_after_write_);
        return;
    }
    wait_request();
}

// Closes the connection. With `linger`, stops sending and reads what the client still sends
// (the rest of a refused body) for a while, so the close does not reset the connection and
// destroy the answer before the client has read it.
void Session::close(bool linger) {
    phase_ = Phase::kClosing;
    auto& tcp_stream = beast::get_lowest_layer(stream_);
    beast::error_code ignored;
    if (!linger) {
        tcp_stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        tcp_stream.close();
        return;
    }
    tcp_stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    tcp_stream.expires_after(kLinger);
    drain();
}

void Session::drain() {
    beast::get_lowest_layer(stream_).async_read_some(
        asio::buffer(drain_buf_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (!ec) {
                self->drain();
            }
        });
}

void Session::count_failure(beast::error_code ec) {
    if (is_timeout(ec) && phase_ != Phase::kIdle && phase_ != Phase::kClosing) {
        core_.counters.timeouts.fetch_add(1);  // cut mid-request (slow client)
    }
}

}  // namespace cyberalarm::server::internal
