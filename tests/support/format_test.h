// Runs one format's probe and parser on one line, as the format tests need.
#pragma once

#include <string_view>

#include "core/event.h"
#include "core/result.h"
#include "parse/parser.h"
#include "parse/syslog.h"

namespace cyberalarm::test {

// 2023-11-14T22:13:20Z: the "now" against which year-less stamps are read in tests.
inline constexpr std::int64_t kTestReferenceNs = std::int64_t{1'700'000'000} * 1'000'000'000;

// UTC, kTestReferenceNs, and a fixed hash key (7s).
parse::ParseContext test_context();

struct ParsedLine {
    core::Result<parse::Disposition> result = core::fail(core::Error::internal("not run"));
    core::Event event;
    int confidence = 0;  // the format's probe score for the line
};

ParsedLine parse_with(const parse::Format& format, std::string_view line,
                      const parse::ParseContext& ctx = test_context());

}  // namespace cyberalarm::test
