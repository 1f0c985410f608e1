// Reaching TLS on mail and file services: the plain-text upgrade dialogue (SMTP STARTTLS,
// IMAP STARTTLS, POP3 STLS, FTP AUTH TLS) before the handshake, and asking whether the
// upgrade is offered at all.
//
// Thread safety: reentrant.
#pragma once

#include <memory>
#include <string>

#include "scan/checks.h"
#include "scan/internal/channel.h"

namespace cyberalarm::scan::internal {

// A TLS channel reached as `entry` says (kDirect: a handshake at once).
[[nodiscard]] core::Result<std::unique_ptr<Channel>> open_tls_via(TlsEntry entry,
                                                                  const core::IpAddress& ip,
                                                                  std::uint16_t port,
                                                                  const TlsOffer& offer,
                                                                  const std::string& ehlo_name,
                                                                  Millis timeout);

// Whether the service advertises the upgrade; `evidence` gets the capability answer.
[[nodiscard]] core::Result<bool> upgrade_offered(TlsEntry entry, const core::IpAddress& ip,
                                                 std::uint16_t port,
                                                 const std::string& ehlo_name, Millis timeout,
                                                 std::string& evidence);

}  // namespace cyberalarm::scan::internal
