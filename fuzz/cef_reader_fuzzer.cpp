// The shared CEF/LEEF envelope reader: header location and splitting, extension and LEEF
// attribute reading, delimiters, unescaping and time stamps.
#include <array>
#include <cstdlib>
#include <string>

#include "fuzz_common.h"
#include "parse/cef_reader.h"

namespace {

// Every pair a reader returns must lie inside the input: a view into it, never past it.
void check_inside(std::string_view s, std::string_view part) {
    if (part.empty()) {
        return;
    }
    if (part.data() < s.data() || part.data() + part.size() > s.data() + s.size()) {
        std::abort();
    }
}

template <typename Reader>
void read_all(Reader& reader, std::string_view s) {
    std::string_view k;
    std::string_view v;
    std::size_t pairs = 0;
    while (reader.next(k, v)) {
        check_inside(s, k);
        check_inside(s, v);
        if (k.empty() || ++pairs > s.size() + 1) {
            std::abort();  // keys are never empty, and each pair consumes input
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cyberalarm;
    std::string_view s(reinterpret_cast<const char*>(data), size);

    for (std::string_view marker : {parse::cef::kCefMarker, parse::cef::kLeefMarker}) {
        parse::cef::HeaderPos at = parse::cef::locate_header(s, marker);
        if (at.found() && at.version >= s.size()) {
            std::abort();
        }
        for (int fields : {5, 7}) {
            if (auto e = parse::cef::split_envelope(s, marker, fields)) {
                check_inside(s, e->extension);
                if (e->extension_offset + e->extension.size() != s.size()) {
                    std::abort();
                }
            }
        }
    }
    std::array<std::string_view, 7> header{};
    std::string_view rest;
    if (parse::cef::split_header(s, header, rest) > header.size()) {
        std::abort();
    }
    check_inside(s, rest);

    parse::cef::ExtReader ext(s);
    read_all(ext, s);
    for (char delim : {'\t', '^', '|', ' '}) {
        parse::cef::LeefReader leef(s, delim);
        read_all(leef, s);
    }
    (void)parse::cef::leef_delimiter(s.substr(0, 8));

    std::string unescaped;
    parse::cef::assign_unescaped(s, unescaped);
    if (unescaped.size() > s.size()) {
        std::abort();
    }
    (void)parse::cef::severity_of(s);
    (void)parse::cef::parse_device_time(s, core::TimeZone{}, fuzz::context().reference_ns);
    core::Event event;
    std::string_view bad;
    (void)parse::cef::apply_network("src", s, event, bad);
    (void)parse::cef::apply_network("proto", s, event, bad);
    return 0;
}
