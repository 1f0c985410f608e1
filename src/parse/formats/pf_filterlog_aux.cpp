#include "parse/formats/pf_filterlog_aux.h"

#include <string_view>

#include "parse/text.h"

namespace cyberalarm::parse::formats::pf_filterlog_detail {

bool is_companion(const SyslogMessage& msg) {
    return msg.app_name == "dhcpd" || msg.app_name == "unbound";
}

core::Result<Disposition> parse_companion(const SyslogMessage& msg, core::Event& out) {
    if (msg.app_name == "dhcpd") {
        return Disposition::kIgnored;  // leases and discovers: no security metadata
    }
    // unbound: "[pid:thread] info: <client ip> <query name> <type> <class>". The query name
    // is dropped (it can name what a person looked up); the client address is kept.
    std::string_view s = msg.msg;
    std::size_t info = s.find("info: ");
    if (info == std::string_view::npos) {
        return Disposition::kIgnored;
    }
    Cursor c(s.substr(info + 6));
    auto client = core::IpAddress::parse(c.token(' '));
    if (!client) {
        return Disposition::kIgnored;  // start-up, statistics and other resolver notices
    }
    out.src_ip = *client;
    out.category = core::Category::kFirewall;
    out.app_protocol.assign("dns");
    out.observer_vendor.assign("Netgate");
    out.observer_product.assign("pfSense");
    return Disposition::kEvent;
}

}  // namespace cyberalarm::parse::formats::pf_filterlog_detail
