// Private to suricata_eve.cpp: the EVE fields we keep, collected by a RapidJSON SAX handler
// in one pass over the line, whatever order the keys come in. Strings that must outlive the
// callback are copied into small fixed buffers or straight into the Event, so no DOM and no
// heap allocation is needed for ordinary lines.
#pragma once

#include <rapidjson/reader.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/event.h"
#include "core/time.h"

namespace cyberalarm::parse::formats::eve {

// A short string copied out of the JSON (event_type, proto, alert.action …). Longer values
// are cut: none of the words we compare against is longer than the buffer.
struct ShortText {
    char data[32] = {};
    std::uint8_t size = 0;
    void assign(const char* s, std::size_t n) {
        size = static_cast<std::uint8_t>(n < sizeof(data) ? n : sizeof(data));
        for (std::size_t i = 0; i < size; ++i) {
            data[i] = s[i];
        }
    }
    [[nodiscard]] std::string_view view() const { return {data, size}; }
    [[nodiscard]] bool empty() const { return size == 0; }
};

// Where the current value sits: a top-level key, or a key inside one of the sub-objects we
// read. Everything else (http, dns, tls, files, metadata …) is content and is skipped.
enum class Section : std::uint8_t { kTop, kAlert, kFlow, kNetflow, kAnomaly, kOther };

struct Fields {
    ShortText event_type;
    ShortText proto;
    ShortText alert_action;
    ShortText bad_ip_field;  // name of a src_ip/dest_ip that did not parse
    bool has_alert = false;
    bool has_timestamp = false;
    core::IsoTime timestamp;
    std::int64_t flow_start_ns = 0;
    std::int64_t flow_end_ns = 0;
    bool has_flow_start = false;
    bool has_flow_end = false;
    std::int64_t alert_severity = -1;
    std::int64_t src_port = -1;
    std::int64_t dst_port = -1;
    std::int64_t icmp_type = -1;
    std::int64_t icmp_code = -1;
    std::int64_t bytes_toserver = -1;
    std::int64_t bytes_toclient = -1;
    std::int64_t pkts_toserver = -1;
    std::int64_t pkts_toclient = -1;
    std::int64_t netflow_bytes = -1;
    std::int64_t netflow_pkts = -1;
};

// SAX handler: fills `fields` and the string fields of `out` (rule, interface, app protocol,
// anomaly event, observer) directly.
class Handler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Handler> {
public:
    Handler(Fields& fields, core::Event& out) : f_(fields), out_(out) {}

    bool Default() { return true; }
    bool Uint(unsigned v) { return number(static_cast<std::int64_t>(v)); }
    bool Int(int v) { return number(v); }
    bool Int64(std::int64_t v) { return number(v); }
    bool Uint64(std::uint64_t v) {
        return number(v > static_cast<std::uint64_t>(INT64_MAX) ? -1
                                                                : static_cast<std::int64_t>(v));
    }
    bool String(const char* s, rapidjson::SizeType n, bool copy);
    bool Key(const char* s, rapidjson::SizeType n, bool copy);
    bool StartObject();
    bool EndObject(rapidjson::SizeType);
    bool StartArray();
    bool EndArray(rapidjson::SizeType);

private:
    bool number(std::int64_t v);
    bool top_string(std::string_view key, std::string_view v);
    bool section_string(std::string_view v);

    Fields& f_;
    core::Event& out_;
    int depth_ = 0;
    Section section_ = Section::kOther;
    ShortText key1_;  // last key at depth 1
    ShortText key2_;  // last key at depth 2 inside a section we read
};

}  // namespace cyberalarm::parse::formats::eve
