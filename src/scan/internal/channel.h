// A probe's conversation: bytes out, an answer in, over plain TCP or TLS alike, with the
// answer read as "wait for the first byte, then until the peer goes quiet".
//
// Thread safety: one Channel per thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/ip.h"
#include "core/result.h"
#include "scan/internal/net.h"
#include "scan/internal/tls.h"

namespace cyberalarm::scan::internal {

class Channel {
public:
    virtual ~Channel() = default;
    [[nodiscard]] virtual core::Status send(std::string_view data, Millis timeout) = 0;
    // >0 bytes, 0 when closed, -1 on timeout.
    [[nodiscard]] virtual long recv(char* buf, std::size_t len, Millis timeout) = 0;
    // The TLS session when the channel is TLS, else null.
    [[nodiscard]] virtual TlsSession* tls() { return nullptr; }
    // Plain channels only: hands the socket over (for STARTTLS); the channel is then dead.
    [[nodiscard]] virtual Fd take_fd() { return Fd(); }
};

struct AnswerLimits {
    Millis first{1200};  // wait for the first byte
    Millis idle{250};    // then stop after this much quiet
    std::size_t max = 32768;
};

[[nodiscard]] core::Result<std::unique_ptr<Channel>> open_plain(const core::IpAddress& ip,
                                                                std::uint16_t port,
                                                                Millis timeout);
[[nodiscard]] core::Result<std::unique_ptr<Channel>> open_tls(const core::IpAddress& ip,
                                                              std::uint16_t port,
                                                              const TlsOffer& offer,
                                                              Millis timeout);
// Wraps an already connected socket (after a STARTTLS exchange).
[[nodiscard]] core::Result<std::unique_ptr<Channel>> upgrade_tls(Fd fd, const TlsOffer& offer,
                                                                 Millis timeout);

// Reads an answer; `done` may end it early (e.g. a pattern already matched).
[[nodiscard]] std::string read_answer(Channel& ch, const AnswerLimits& limits,
                                      const std::function<bool(const std::string&)>& done = {});

// Sends `request` and reads the answer ("" when the send failed).
[[nodiscard]] std::string exchange(Channel& ch, std::string_view request,
                                   const AnswerLimits& limits,
                                   const std::function<bool(const std::string&)>& done = {});

}  // namespace cyberalarm::scan::internal
