#include "parse/parser.h"

#include <sodium.h>

namespace cyberalarm::parse {

std::string hash_identity(const ParseContext& ctx, std::string_view identity) {
    unsigned char digest[16];
    crypto_generichash(digest, sizeof digest,
                       reinterpret_cast<const unsigned char*>(identity.data()), identity.size(),
                       ctx.hash_key.data(), ctx.hash_key.size());
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(sizeof digest * 2, '0');
    for (std::size_t i = 0; i < sizeof digest; ++i) {
        out[2 * i] = kHex[digest[i] >> 4];
        out[2 * i + 1] = kHex[digest[i] & 0xf];
    }
    return out;
}

void apply_header(const SyslogMessage& msg, const ParseContext& ctx, std::string_view format,
                  core::Event& out) {
    out.format.assign(format);
    out.time_ns = header_time_utc(msg, ctx.tz);
    if (!ctx.observer.empty()) {
        out.observer_name = ctx.observer;
    } else {
        out.observer_name.assign(msg.hostname);
    }
}

}  // namespace cyberalarm::parse
