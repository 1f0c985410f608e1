#include "parse/line_parser.h"

#include <algorithm>
#include <array>
#include <optional>

namespace cyberalarm::parse {

namespace {

constexpr std::size_t kMaxCandidates = 4;

}  // namespace

Detection detect_format(const SyslogMessage& msg) {
    Detection best;
    for (const Format& f : all_formats()) {
        int c = f.probe(msg);
        if (c > best.confidence) {
            best = {&f, c};
        }
    }
    return best;
}

LineParser::LineParser(ParseContext ctx, const Format* forced, std::size_t max_line_bytes)
    : ctx_(std::move(ctx)), forced_(forced), max_line_(max_line_bytes) {}

void LineParser::count(const Format& f, const core::Result<Disposition>& r) {
    auto it = stats_.by_format.find(f.name);
    if (it == stats_.by_format.end()) {
        it = stats_.by_format.emplace(std::string(f.name), FormatCounts{}).first;
    }
    if (!r) {
        ++it->second.errors;
    } else if (*r == Disposition::kEvent) {
        ++it->second.events;
    } else {
        ++it->second.ignored;
    }
}

core::Result<Disposition> LineParser::run(const Format& f, const SyslogMessage& msg,
                                          core::Event& out) {
    out.clear();
    auto r = f.parse(msg, ctx_, out);
    if (!r) {
        return core::fail(std::move(r.error()).context(std::string(f.name)));
    }
    return r;
}

std::uint64_t LineParser::source_key(const SyslogMessage& msg) {
    // FNV-1a over host name, tag and the message's first byte: cheap, and distinct enough
    // for a 64-entry hint table (a collision only costs a full detection).
    std::uint64_t h = 0xcbf29ce484222325ull;
    auto mix = [&](std::string_view s) {
        for (char c : s) {
            h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
        }
        h = (h ^ 0xff) * 0x100000001b3ull;
    };
    mix(msg.hostname);
    mix(msg.app_name);
    mix(msg.msg.substr(0, 1));
    return h;
}

core::Result<Disposition> LineParser::parse(std::string_view line, core::Event& out) {
    ++stats_.lines;
    if (line.size() > max_line_) {
        line = line.substr(0, max_line_);
        ++stats_.truncated;
    }
    if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
    }
    SyslogMessage msg = parse_syslog(line, ctx_.reference_ns);

    const Format* chosen = forced_;
    core::Result<Disposition> result =
        core::fail(core::Error::parse("no format recognises this line"));
    if (chosen != nullptr) {
        result = run(*chosen, msg, out);
        count(*chosen, result);
    } else {
        std::uint64_t key = source_key(msg);
        SourceHint& hint = hints_[key % hints_.size()];
        if (hint.key == key && hint.format != nullptr &&
            hint.format->probe(msg) >= hint.confidence) {
            result = run(*hint.format, msg, out);
            chosen = hint.format;
        }
        if (chosen == nullptr || !result) {
            // Rank every claiming format and try the best few.
            std::array<Detection, kMaxCandidates> top{};
            for (const Format& f : all_formats()) {
                int c = f.probe(msg);
                if (c <= 0 || &f == chosen) {
                    continue;
                }
                Detection d{&f, c};
                for (auto& slot : top) {
                    if (d.confidence > slot.confidence) {
                        std::swap(d, slot);
                    }
                }
            }
            std::optional<core::Error> first_error;
            if (!result && chosen != nullptr) {
                first_error = result.error();
            }
            for (const auto& d : top) {
                if (d.format == nullptr) {
                    break;
                }
                auto r = run(*d.format, msg, out);
                if (r) {
                    result = r;
                    chosen = d.format;
                    hint = {key, d.format, d.confidence};
                    break;
                }
                if (!first_error) {
                    first_error = r.error();
                    chosen = d.format;
                }
            }
            if (!result && first_error) {
                result = core::fail(*first_error);
            }
        }
        if (chosen != nullptr) {
            count(*chosen, result);
        } else {
            ++stats_.unrecognised;
        }
    }

    if (!result) {
        ++stats_.errors;
    } else if (*result == Disposition::kEvent) {
        ++stats_.events;
    } else {
        ++stats_.ignored;
    }
    return result;
}

}  // namespace cyberalarm::parse
