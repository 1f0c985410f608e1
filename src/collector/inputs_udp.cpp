// Syslog over UDP (RFC 5426): one datagram is one message.
//
// UDP is lossy by nature: a datagram that arrives while the socket's receive buffer is full
// is dropped by the kernel. The buffer is made large (udp_receive_buffer) so bursts wait
// instead, and the kernel's own drop counter (SO_RXQ_OVFL) is read with every datagram, so
// the losses that do happen are counted (udp_drops) rather than silent.
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "collector/inputs_impl.h"
#include "collector/inputs_net.h"

namespace cyberalarm::collector::detail {

namespace {

using udp = asio::ip::udp;
using boost::system::error_code;

constexpr std::size_t kMaxDatagram = 65536;  // larger than any UDP payload
constexpr int kBatch = 64;                   // datagrams per wake-up before yielding

std::string_view strip_trailer(std::string_view d) {
    while (!d.empty() && (d.back() == '\n' || d.back() == '\r' || d.back() == '\0')) {
        d.remove_suffix(1);
    }
    return d;
}

class UdpInput final : public Input {
public:
    explicit UdpInput(const InputConfig& config)
        : Input(config), io_(stats_), socket_(io_.context()), buffer_(kMaxDatagram) {}
    ~UdpInput() override { stop(); }

    core::Result<void> bind() override {
        auto address = listen_address(config_);
        if (!address) {
            return core::fail(address.error());
        }
        udp::endpoint endpoint(*address, config_.port);
        std::string where = config_.address + ":" + std::to_string(config_.port);
        error_code ec;
        socket_.open(endpoint.protocol(), ec);
        if (!ec) {
            // Best effort: the kernel caps it at net.core.rmem_max.
            error_code ignored;
            socket_.set_option(asio::socket_base::receive_buffer_size(static_cast<int>(
                                   std::min<std::size_t>(config_.udp_receive_buffer, 1u << 30))),
                               ignored);
            int on = 1;
            ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on);
            socket_.bind(endpoint, ec);
        }
        if (!ec) {
            socket_.non_blocking(true, ec);
        }
        if (ec) {
            error_code ignored;
            socket_.close(ignored);
            return core::fail(core::Error::io("input '" + config_.name + "': cannot listen on " +
                                              where + ": " + describe(ec)));
        }
        port_ = socket_.local_endpoint(ec).port();
        return {};
    }

    std::uint16_t bound_port() const override { return port_; }

    core::Result<void> start(LineSink& sink, std::size_t index) override {
        if (started_) {
            return core::fail(core::Error::internal("input '" + config_.name + "' started twice"));
        }
        started_ = true;
        sink_ = &sink;
        index_ = index;
        asio::post(io_.context(), [this] { wait(); });
        io_.start();
        return {};
    }

    void stop() override {
        if (started_ && !stopped_) {
            asio::post(io_.context(), [this] {
                error_code ignored;
                socket_.close(ignored);
            });
        }
        stopped_ = true;
        io_.stop();
    }

    InputStatsSnapshot stats() const override { return stats_.snapshot(); }

private:
    void wait() {
        socket_.async_wait(udp::socket::wait_read, [this](const error_code& ec) {
            if (ec || !socket_.is_open()) {
                return;
            }
            try {
                drain();
            } catch (const std::exception& e) {
                // A sink that throws loses that burst, not the input.
                stats_.record_error(std::string("udp input: ") + e.what());
            }
            wait();
        });
    }

    // Takes up to kBatch waiting datagrams, then hands the sink the burst as one batch.
    void drain() {
        drain_burst();
        sink_->flush(index_);
    }

    void drain_burst() {
        for (int i = 0; i < kBatch; ++i) {
            sockaddr_storage from{};
            iovec iov{buffer_.data(), buffer_.size()};
            alignas(cmsghdr) char control[CMSG_SPACE(sizeof(std::uint32_t))];
            msghdr msg{};
            msg.msg_name = &from;
            msg.msg_namelen = sizeof from;
            msg.msg_iov = &iov;
            msg.msg_iovlen = 1;
            msg.msg_control = control;
            msg.msg_controllen = sizeof control;
            ssize_t n = ::recvmsg(socket_.native_handle(), &msg, MSG_DONTWAIT);
            if (n < 0) {
                int err = errno;
                if (err != EAGAIN && err != EWOULDBLOCK && err != EINTR) {
                    stats_.record_error("receive: " +
                                        std::error_code(err, std::system_category()).message());
                }
                return;
            }
            stats_.udp_datagrams.fetch_add(1, std::memory_order_relaxed);
            read_drop_counter(msg);
            deliver(std::string_view(buffer_.data(), static_cast<std::size_t>(n)), to_ip(from));
        }
    }

    void read_drop_counter(msghdr& msg) {
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL &&
                c->cmsg_len >= CMSG_LEN(sizeof(std::uint32_t))) {
                std::uint32_t drops = 0;
                std::memcpy(&drops, CMSG_DATA(c), sizeof drops);
                stats_.udp_drops.store(drops, std::memory_order_relaxed);
            }
        }
    }

    void deliver(std::string_view datagram, const core::IpAddress& peer) {
        std::string_view line = strip_trailer(datagram);
        if (line.size() > config_.max_frame) {
            line = line.substr(0, config_.max_frame);
            stats_.oversize.fetch_add(1, std::memory_order_relaxed);
        }
        if (line.empty()) {
            return;
        }
        sink_->on_line(index_, line, peer);
        stats_.frames.fetch_add(1, std::memory_order_relaxed);
        stats_.bytes.fetch_add(line.size(), std::memory_order_relaxed);
    }

    InputStats stats_;
    IoThread io_;
    udp::socket socket_;
    std::vector<char> buffer_;
    std::uint16_t port_ = 0;
    LineSink* sink_ = nullptr;
    std::size_t index_ = 0;
    bool started_ = false;
    bool stopped_ = false;
};

}  // namespace

std::unique_ptr<Input> make_udp_input(const InputConfig& config) {
    return std::make_unique<UdpInput>(config);
}

}  // namespace cyberalarm::collector::detail
