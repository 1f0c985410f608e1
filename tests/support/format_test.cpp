#include "support/format_test.h"

namespace cyberalarm::test {

parse::ParseContext test_context() {
    parse::ParseContext ctx;
    ctx.reference_ns = kTestReferenceNs;
    ctx.hash_key.fill(7);
    return ctx;
}

ParsedLine parse_with(const parse::Format& format, std::string_view line,
                      const parse::ParseContext& ctx) {
    ParsedLine p;
    auto msg = parse::parse_syslog(line, ctx.reference_ns);
    p.confidence = format.probe(msg);
    p.result = format.parse(msg, ctx, p.event);
    return p;
}

}  // namespace cyberalarm::test
