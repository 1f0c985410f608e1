// PLACEHOLDER: not yet implemented; recognises nothing.
#include "parse/formats/formats.h"

namespace cyberalarm::parse::formats {

namespace {

int probe(const SyslogMessage&) { return 0; }

core::Result<Disposition> parse(const SyslogMessage&, const ParseContext&, core::Event&) {
    return core::fail(core::Error::unsupported("sonicwall parser not implemented"));
}

}  // namespace

const Format& sonicwall() {
    static const Format kFormat{"sonicwall", "not yet implemented", probe, parse};
    return kFormat;
}

}  // namespace cyberalarm::parse::formats
