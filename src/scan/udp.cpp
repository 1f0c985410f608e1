#include "scan/udp.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "scan/internal/net.h"
#include "scan/probes.h"

namespace cyberalarm::scan {

namespace {

constexpr UdpProbeSpec kSpecs[] = {
    {UdpService::kDns, "dns", 53},         {UdpService::kNtp, "ntp", 123},
    {UdpService::kSnmp, "snmp", 161},      {UdpService::kSsdp, "ssdp", 1900},
    {UdpService::kMemcached, "memcached", 11211}, {UdpService::kMdns, "mdns", 5353},
};

void put16(std::string& out, std::uint16_t v) {
    out.push_back(static_cast<char>(v >> 8));
    out.push_back(static_cast<char>(v & 0xff));
}

void put_name(std::string& out, std::initializer_list<const char*> labels) {
    for (const char* l : labels) {
        out.push_back(static_cast<char>(std::strlen(l)));
        out += l;
    }
    out.push_back('\0');
}

std::uint16_t get16(std::span<const std::uint8_t> b, std::size_t at) {
    return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
}

// ---- DNS --------------------------------------------------------------------------------

// Skips a (possibly compressed) name; false if it runs off the end.
bool skip_name(std::span<const std::uint8_t> b, std::size_t& pos) {
    for (int hops = 0; pos < b.size() && hops < 128; ++hops) {
        std::uint8_t len = b[pos];
        if (len == 0) {
            ++pos;
            return true;
        }
        if ((len & 0xc0) == 0xc0) {
            pos += 2;
            return pos <= b.size();
        }
        pos += 1 + len;
    }
    return false;
}

// Reads a name with compression, for display; bounded in length and hops.
std::string read_name(std::span<const std::uint8_t> b, std::size_t pos) {
    std::string out;
    for (int hops = 0; pos < b.size() && hops < 64 && out.size() < 255; ++hops) {
        std::uint8_t len = b[pos];
        if (len == 0) {
            break;
        }
        if ((len & 0xc0) == 0xc0) {
            if (pos + 1 >= b.size()) {
                break;
            }
            pos = static_cast<std::size_t>((len & 0x3f) << 8 | b[pos + 1]);
            continue;
        }
        if (pos + 1 + len > b.size()) {
            break;
        }
        if (!out.empty()) {
            out.push_back('.');
        }
        out.append(reinterpret_cast<const char*>(&b[pos + 1]), len);
        pos += 1 + len;
    }
    return printable(out, 255);
}

std::optional<UdpDecoded> decode_dns(std::span<const std::uint8_t> b, std::uint16_t id, bool mdns) {
    if (b.size() < 12 || (b[2] & 0x80) == 0 || (!mdns && get16(b, 0) != id) ||
        (mdns && get16(b, 0) != id && get16(b, 0) != 0)) {
        return std::nullopt;
    }
    UdpDecoded d;
    d.bytes = b.size();
    unsigned rcode = b[3] & 0x0f;
    std::uint16_t qd = get16(b, 4);
    std::uint16_t an = get16(b, 6);
    std::size_t pos = 12;
    for (unsigned q = 0; q < qd && q < 16; ++q) {
        if (!skip_name(b, pos) || pos + 4 > b.size()) {
            return d;
        }
        pos += 4;
    }
    std::string answers;
    for (unsigned a = 0; a < an && a < 32; ++a) {
        if (!skip_name(b, pos) || pos + 10 > b.size()) {
            break;
        }
        std::uint16_t type = get16(b, pos);
        std::uint16_t rdlen = get16(b, pos + 8);
        pos += 10;
        if (pos + rdlen > b.size()) {
            break;
        }
        if (type == 16 && rdlen > 0) {  // TXT: first character-string
            std::size_t n = std::min<std::size_t>(b[pos], rdlen - 1u);
            std::string txt(reinterpret_cast<const char*>(&b[pos + 1]), n);
            answers += (answers.empty() ? "" : ", ") + printable(txt, 100);
            if (!mdns && d.version.empty()) {
                d.version = printable(txt, 100);
            }
        } else if (type == 12) {  // PTR
            answers += (answers.empty() ? "" : ", ") + read_name(b, pos);
        }
        pos += rdlen;
    }
    d.summary = mdns ? "mDNS answered" : "DNS answered (rcode " + std::to_string(rcode) + ")";
    if (!answers.empty()) {
        d.summary += ": " + answers;
    }
    return d;
}

// ---- SNMP (BER) ----------------------------------------------------------------------------

struct Tlv {
    std::uint8_t tag = 0;
    std::span<const std::uint8_t> value;
};

std::optional<Tlv> read_tlv(std::span<const std::uint8_t>& in) {
    if (in.size() < 2) {
        return std::nullopt;
    }
    Tlv t;
    t.tag = in[0];
    std::size_t len = in[1];
    std::size_t head = 2;
    if (len & 0x80) {
        std::size_t n = len & 0x7f;
        if (n == 0 || n > 2 || in.size() < 2 + n) {
            return std::nullopt;
        }
        len = 0;
        for (std::size_t k = 0; k < n; ++k) {
            len = len << 8 | in[2 + k];
        }
        head += n;
    }
    if (in.size() < head + len) {
        return std::nullopt;
    }
    t.value = in.subspan(head, len);
    in = in.subspan(head + len);
    return t;
}

long ber_int(std::span<const std::uint8_t> v) {
    long out = 0;
    for (std::size_t k = 0; k < v.size() && k < 4; ++k) {
        out = out << 8 | v[k];
    }
    return out;
}

std::optional<UdpDecoded> decode_snmp(std::span<const std::uint8_t> b, std::uint16_t id) {
    std::span<const std::uint8_t> in = b;
    auto msg = read_tlv(in);
    if (!msg || msg->tag != 0x30) {
        return std::nullopt;
    }
    std::span<const std::uint8_t> m = msg->value;
    auto version = read_tlv(m);
    auto community = read_tlv(m);
    auto pdu = read_tlv(m);
    if (!version || version->tag != 0x02 || !community || community->tag != 0x04 || !pdu ||
        pdu->tag != 0xa2) {
        return std::nullopt;
    }
    std::span<const std::uint8_t> p = pdu->value;
    auto rid = read_tlv(p);
    auto status = read_tlv(p);
    auto index = read_tlv(p);
    auto list = read_tlv(p);
    if (!rid || rid->tag != 0x02 || ber_int(rid->value) != id || !status || !index || !list) {
        return std::nullopt;
    }
    UdpDecoded d;
    d.bytes = b.size();
    d.summary = "SNMP answered community 'public'";
    std::span<const std::uint8_t> l = list->value;
    if (auto vb = read_tlv(l); vb && vb->tag == 0x30) {
        std::span<const std::uint8_t> v = vb->value;
        auto oid = read_tlv(v);
        auto value = read_tlv(v);
        if (oid && value && value->tag == 0x04) {
            std::string descr(reinterpret_cast<const char*>(value->value.data()), value->value.size());
            d.summary += ": sysDescr " + printable(descr, 120);
        }
    }
    return d;
}

// ---- others ---------------------------------------------------------------------------------

std::optional<UdpDecoded> decode_ntp(std::span<const std::uint8_t> b, std::uint16_t id) {
    if (b.size() < 48 || (b[0] & 0x07) != 4 || get16(b, 28) != id) {
        return std::nullopt;  // not a server reply to our transmit timestamp
    }
    UdpDecoded d;
    d.bytes = b.size();
    d.summary = "NTP v" + std::to_string((b[0] >> 3) & 0x07) + " server, stratum " + std::to_string(b[1]);
    return d;
}

std::optional<UdpDecoded> decode_ssdp(std::span<const std::uint8_t> b) {
    std::string_view s(reinterpret_cast<const char*>(b.data()), b.size());
    if (s.substr(0, 12) != "HTTP/1.1 200") {
        return std::nullopt;
    }
    UdpDecoded d;
    d.bytes = b.size();
    d.summary = "SSDP answered M-SEARCH";
    for (const char* h : {"\nSERVER:", "\nServer:", "\nserver:"}) {
        std::size_t at = s.find(h);
        if (at != std::string_view::npos) {
            std::size_t end = s.find('\r', at);
            d.product = std::string(s.substr(at + 8, end == std::string_view::npos ? 80 : end - at - 8));
            d.summary += ": " + printable(d.product, 100);
            break;
        }
    }
    return d;
}

std::optional<UdpDecoded> decode_memcached(std::span<const std::uint8_t> b, std::uint16_t id) {
    if (b.size() < 8 || get16(b, 0) != id) {
        return std::nullopt;
    }
    std::string_view s(reinterpret_cast<const char*>(b.data() + 8), b.size() - 8);
    if (s.substr(0, 8) != "VERSION ") {
        return std::nullopt;
    }
    UdpDecoded d;
    d.bytes = b.size();
    std::size_t end = s.find_first_of("\r\n", 8);
    d.product = "memcached";
    d.version = printable(s.substr(8, end == std::string_view::npos ? 32 : end - 8), 32);
    d.summary = "memcached answered over UDP: VERSION " + d.version;
    return d;
}

}  // namespace

std::span<const UdpProbeSpec> udp_probes() { return kSpecs; }

std::string encode_udp_probe(UdpService service, std::uint16_t id) {
    std::string out;
    switch (service) {
        case UdpService::kDns:
            put16(out, id);
            put16(out, 0x0000);  // standard query, no recursion wanted
            put16(out, 1);
            put16(out, 0);
            put16(out, 0);
            put16(out, 0);
            put_name(out, {"version", "bind"});
            put16(out, 16);  // TXT
            put16(out, 3);   // CHAOS
            break;
        case UdpService::kMdns:
            put16(out, id);
            put16(out, 0);
            put16(out, 1);
            put16(out, 0);
            put16(out, 0);
            put16(out, 0);
            put_name(out, {"_services", "_dns-sd", "_udp", "local"});
            put16(out, 12);      // PTR
            put16(out, 0x8001);  // IN, unicast response wanted
            break;
        case UdpService::kNtp:
            out.assign(48, '\0');
            out[0] = 0x23;  // LI 0, version 4, mode 3 (client)
            out[44] = static_cast<char>(id >> 8);  // transmit timestamp carries our id;
            out[45] = static_cast<char>(id & 0xff);  // servers echo it as the origin
            break;
        case UdpService::kSnmp: {
            static const unsigned char kHead[] = {0x30, 0x27, 0x02, 0x01, 0x01, 0x04, 0x06, 'p', 'u', 'b', 'l', 'i', 'c',
                                                  0xa0, 0x1a, 0x02, 0x02};
            static const unsigned char kTail[] = {0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x0e, 0x30, 0x0c, 0x06, 0x08,
                                                  0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00, 0x05, 0x00};
            out.assign(reinterpret_cast<const char*>(kHead), sizeof kHead);
            put16(out, id & 0x7fff);  // a positive INTEGER in two bytes
            out.append(reinterpret_cast<const char*>(kTail), sizeof kTail);
            break;
        }
        case UdpService::kSsdp:
            out = "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\n"
                  "MX: 1\r\nST: ssdp:all\r\n\r\n";
            break;
        case UdpService::kMemcached:
            put16(out, id);
            put16(out, 0);
            put16(out, 1);
            put16(out, 0);
            out += "version\r\n";
            break;
    }
    return out;
}

std::optional<UdpDecoded> decode_udp_answer(UdpService service, std::span<const std::uint8_t> b,
                                            std::uint16_t id) {
    switch (service) {
        case UdpService::kDns:
            return decode_dns(b, id, false);
        case UdpService::kMdns:
            return decode_dns(b, id, true);
        case UdpService::kNtp:
            return decode_ntp(b, id);
        case UdpService::kSnmp:
            return decode_snmp(b, id & 0x7fff);
        case UdpService::kSsdp:
            return decode_ssdp(b);
        case UdpService::kMemcached:
            return decode_memcached(b, id);
    }
    return std::nullopt;
}

}  // namespace cyberalarm::scan
