#include "parse/formats/windows_firewall_wfp.h"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <array>
#include <cstdint>

#include "parse/text.h"

namespace cyberalarm::parse::formats::wfp {

namespace {

struct Fields {
    std::int64_t event_id = -1;
    std::int64_t protocol = -1;
    std::int64_t src_port = -1;
    std::int64_t dst_port = -1;
    bool inbound = false;
    bool has_src = false;
    bool has_dst = false;
    bool bad_address = false;
    core::IpAddress src;
    core::IpAddress dst;
    std::int64_t utc_ns = 0;    // @timestamp / TimeCreated (with zone)
    std::int64_t local_ns = 0;  // EventTime (host's local time)
    bool has_utc = false;
    bool has_local = false;
};

std::int64_t to_int(std::string_view v) {
    auto n = to_uint<std::uint32_t>(v);
    return n ? static_cast<std::int64_t>(*n) : -1;
}

// Collects the WFP fields at whatever depth they appear (flat NXLog or Winlogbeat's
// winlog.event_data). The Message text and the Application path are never read.
class Handler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Handler> {
public:
    Handler(Fields& f, core::Event& out) : f_(f), out_(out) {}
    bool Default() { return true; }
    bool Key(const char* s, rapidjson::SizeType n, bool) {
        std::size_t len = n < key_.size() ? n : key_.size();
        for (std::size_t i = 0; i < len; ++i) {
            key_[i] = s[i];
        }
        key_len_ = n < key_.size() ? len : 0;  // over-long keys are none of ours
        return true;
    }
    bool Uint(unsigned v) { return number(v); }
    bool Int(int v) { return number(v); }
    bool Uint64(std::uint64_t v) {
        return number(v > UINT32_MAX ? -1 : static_cast<std::int64_t>(v));
    }
    bool Int64(std::int64_t) { return true; }
    bool String(const char* s, rapidjson::SizeType n, bool) {
        std::string_view v(s, n);
        std::string_view k = key();
        if (k == "SourceAddress" || k == "DestAddress") {
            return address(k == "SourceAddress", v);
        }
        if (k == "EventTime") {
            if (auto t = core::parse_iso8601(v)) {
                f_.local_ns = t->ns;
                f_.has_local = !t->has_zone;
                if (t->has_zone) {
                    f_.utc_ns = t->ns;
                    f_.has_utc = true;
                }
            }
        } else if (k == "@timestamp" || k == "TimeCreated") {
            if (auto t = core::parse_iso8601(v); t && t->has_zone) {
                f_.utc_ns = t->ns;
                f_.has_utc = true;
            }
        } else if (k == "Direction") {
            f_.inbound = v == "%%14592" || iequals(v, "Inbound");
        } else if (k == "FilterRTID") {
            out_.rule_id.assign(v);
        } else {
            return number(to_int(v));
        }
        return true;
    }

private:
    [[nodiscard]] std::string_view key() const { return {key_.data(), key_len_}; }
    bool address(bool source, std::string_view v) {
        auto a = core::IpAddress::parse(v);
        if (!a) {
            // "-" or empty for events without that end; anything else is malformed.
            f_.bad_address = f_.bad_address || !(v.empty() || v == "-");
            return true;
        }
        (source ? f_.src : f_.dst) = *a;
        (source ? f_.has_src : f_.has_dst) = true;
        return true;
    }
    bool number(std::int64_t v) {
        std::string_view k = key();
        if (k == "EventID" || k == "event_id" || k == "EventId") {
            f_.event_id = v;
        } else if (k == "Protocol") {
            f_.protocol = v;
        } else if (k == "SourcePort") {
            f_.src_port = v;
        } else if (k == "DestPort") {
            f_.dst_port = v;
        }
        return true;
    }

    Fields& f_;
    core::Event& out_;
    std::array<char, 24> key_{};
    std::size_t key_len_ = 0;
};

void set_action(std::int64_t id, core::Event& out) {
    switch (id) {
        case 5152:  // packet dropped
        case 5153:  // packet blocked by a more restrictive filter
            out.action = core::Action::kDrop;
            break;
        case 5155:  // listen blocked
        case 5157:  // connection blocked
        case 5159:  // bind blocked
            out.action = core::Action::kDeny;
            break;
        default:  // 5154, 5156, 5158: permitted
            out.action = core::Action::kAllow;
            break;
    }
}

void apply(const Fields& f, const ParseContext& ctx, core::Event& out) {
    if (f.has_utc) {
        out.time_ns = f.utc_ns;
    } else if (f.has_local) {
        out.time_ns = ctx.tz.local_to_utc(f.local_ns);
    }
    out.event_code = std::to_string(f.event_id);
    set_action(f.event_id, out);
    if (f.protocol >= 0 && f.protocol <= 255) {
        out.set_ip_protocol(static_cast<unsigned>(f.protocol));
    }
    // WFP's "Source" is the local end; on inbound traffic the initiator is "Dest".
    bool swap = f.inbound;
    const core::IpAddress& src = swap ? f.dst : f.src;
    const core::IpAddress& dst = swap ? f.src : f.dst;
    std::int64_t sp = swap ? f.dst_port : f.src_port;
    std::int64_t dp = swap ? f.src_port : f.dst_port;
    if ((swap ? f.has_dst : f.has_src)) {
        out.src_ip = src;
    }
    if ((swap ? f.has_src : f.has_dst)) {
        out.dst_ip = dst;
    }
    if (sp >= 0 && sp <= 65535 && (swap ? f.has_dst : f.has_src)) {
        out.set_src_port(static_cast<std::uint16_t>(sp));
    }
    if (dp >= 0 && dp <= 65535 && (swap ? f.has_src : f.has_dst)) {
        out.set_dst_port(static_cast<std::uint16_t>(dp));
    }
}

}  // namespace

int probe(std::string_view msg) {
    std::string_view m = trim(msg);
    if (!m.starts_with('{')) {
        return 0;
    }
    bool wfp_fields = m.find("\"SourceAddress\"") != std::string_view::npos ||
                      m.find("Filtering Platform") != std::string_view::npos;
    for (std::string_view id :
         {"\"EventID\":515", "\"event_id\":515", "\"event_id\":\"515", "\"EventID\":\"515"}) {
        if (wfp_fields && m.find(id) != std::string_view::npos) {
            return 80;
        }
    }
    return 0;
}

core::Result<Disposition> parse(std::string_view msg, const ParseContext& ctx, core::Event& out) {
    std::string_view json = trim(msg);
    std::array<char, 2048> stack_buffer;
    rapidjson::MemoryPoolAllocator<> stack_alloc(stack_buffer.data(), stack_buffer.size());
    rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>>
        reader(&stack_alloc, 512);
    rapidjson::MemoryStream stream(json.data(), json.size());
    Fields f;
    Handler handler(f, out);
    rapidjson::ParseResult ok = reader.Parse<rapidjson::kParseStopWhenDoneFlag>(stream, handler);
    if (!ok) {
        return core::fail(core::Error::parse(
            std::string("invalid JSON: ") + rapidjson::GetParseError_En(ok.Code()), "",
            ok.Offset()));
    }
    if (f.event_id < 5150 || f.event_id > 5159) {
        return core::fail(core::Error::unsupported("not a Windows Filtering Platform event"));
    }
    if (f.bad_address) {
        return core::fail(core::Error::parse("not an IP address", "SourceAddress"));
    }
    apply(f, ctx, out);
    return Disposition::kEvent;
}

}  // namespace cyberalarm::parse::formats::wfp
