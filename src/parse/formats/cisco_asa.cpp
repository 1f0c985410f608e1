// PLACEHOLDER: not yet implemented; recognises nothing.
#include "parse/formats/formats.h"

namespace cyberalarm::parse::formats {

namespace {

int probe(const SyslogMessage&) { return 0; }

core::Result<Disposition> parse(const SyslogMessage&, const ParseContext&, core::Event&) {
    return core::fail(core::Error::unsupported("cisco_asa parser not implemented"));
}

}  // namespace

const Format& cisco_asa() {
    static const Format kFormat{"cisco_asa", "not yet implemented", probe, parse};
    return kFormat;
}

}  // namespace cyberalarm::parse::formats
