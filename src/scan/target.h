// What the scanner may touch: target parsing, name resolution and the ownership policy,
// port lists and scan windows.
//
// Safety rules (docs/design/scanner.md, "Safety"):
//  - every address scanned lies in a verified network asset of the member (or, in a local
//    lab run with --allow-loopback, in 127.0.0.0/8 or is ::1) — checked after expansion;
//  - a host name is resolved first; the name must be covered by a verified domain or host
//    asset, and every address it resolves to must be allowed on its own, so a name pointed
//    at someone else's address is refused;
//  - a range larger than kMaxAddressesPerTarget is refused rather than truncated.
// Refusals are kPermissionDenied with a message naming the target and the reason.
//
// Thread safety: TargetPolicy is immutable after construction; resolve() is const and may
// run concurrently if the Resolver may.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip.h"
#include "core/result.h"
#include "store/store.h"

namespace cyberalarm::scan {

inline constexpr std::size_t kMaxAddressesPerTarget = 4096;

// Host name → addresses. The default uses getaddrinfo (AF_UNSPEC).
using Resolver = std::function<core::Result<std::vector<core::IpAddress>>(std::string_view)>;
[[nodiscard]] Resolver system_resolver();

struct ResolvedTarget {
    std::string name;                         // as given ("www.example.org", "10.0.0.0/30")
    std::string host;                         // the host name for SNI/Host headers; "" for addresses
    std::vector<core::IpAddress> addresses;   // every address to scan, allowed by the policy
};

class TargetPolicy {
public:
    // Only loopback addresses (127.0.0.0/8, ::1), and names that resolve only to them.
    [[nodiscard]] static TargetPolicy loopback_only();
    // The verified assets among `assets` (verified_ns != 0); unverified ones are ignored.
    [[nodiscard]] static TargetPolicy from_assets(std::span<const store::Asset> assets);

    // Resolves and checks each target; the first refusal fails the whole request, so a
    // typo never scans part of a list.
    [[nodiscard]] core::Result<std::vector<ResolvedTarget>> resolve(
        std::span<const std::string> targets, const Resolver& resolver) const;

    [[nodiscard]] bool address_allowed(const core::IpAddress& ip) const;
    [[nodiscard]] bool name_allowed(std::string_view name) const;

private:
    bool loopback_ = false;
    std::vector<core::Cidr> networks_;
    std::vector<std::string> domains_;  // the name and every name under it
    std::vector<std::string> hosts_;    // exactly this name
};

// Splits "a,b , c" into trimmed, non-empty items.
[[nodiscard]] std::vector<std::string> split_list(std::string_view text);

// "22,80,443", "1-1024", "-" or "all" (1-65535), mixed; duplicates removed, sorted.
// kInvalidArgument naming the bad item; port 0 is not a port.
[[nodiscard]] core::Result<std::vector<std::uint16_t>> parse_ports(std::string_view text);

// The ports scanned when none are given: the services the probe file identifies.
[[nodiscard]] std::vector<std::uint16_t> default_tcp_ports();

// A daily time-of-day window in UTC, "HH:MM-HH:MM" (may wrap past midnight); "" = always.
struct ScanWindow {
    int start_minute = 0;
    int end_minute = 24 * 60;
    [[nodiscard]] static core::Result<ScanWindow> parse(std::string_view text);
    [[nodiscard]] bool open_at(std::int64_t unix_ns) const;
    [[nodiscard]] std::string to_string() const;
};

}  // namespace cyberalarm::scan
