// `cyberalarm report`: writes a member report (--member) or an analyst report for a force,
// region or nation (--tenant) from the server's store, as HTML or PDF, for any period (the
// last whole week, Monday 00:00 UTC to Monday, by default).
#include <fmt/core.h>

#include <fstream>
#include <memory>

#include "admin.h"
#include "commands.h"
#include "core/time.h"
#include "report/analyst.h"
#include "report/member.h"

namespace cyberalarm::app {
namespace {

struct ReportCommand {
    AdminOptions admin;
    store::TenantId member = 0;
    store::TenantId tenant = 0;
    std::string from;
    std::string to;
    std::string format = "html";
    std::string output;
    bool names = false;
    std::string pseudonym_key;
    std::string geoip_country;
    std::string geoip_asn;
};

// Midnight UTC of the Monday on or before `ns`.
std::int64_t monday_before(std::int64_t ns) {
    constexpr std::int64_t kDay = 86400LL * core::kNanosPerSecond;
    const std::int64_t day = ns / kDay;
    return (day - (day + 3) % 7) * kDay;  // 1970-01-01 was a Thursday
}

std::optional<std::int64_t> parse_time(const std::string& text) {
    auto t = core::parse_iso8601(text.size() == 10 ? text + "T00:00:00Z" : text);
    if (!t || t->consumed == 0) {
        return std::nullopt;
    }
    return t->ns;
}

core::Result<std::string> render(store::Store& store, const ReportCommand& c, std::int64_t from,
                                 std::int64_t to, const report::GeoLookup* geo) {
    const bool pdf = c.format == "pdf";
    if (c.member != 0) {
        report::MemberReportOptions o;
        o.from_ns = from;
        o.to_ns = to;
        o.now_ns = now_ns();
        o.geo = geo;
        auto in = report::member_report_input(store, c.member, o);
        if (!in) {
            return core::fail(std::move(in.error()));
        }
        return pdf ? report::render_pdf(*in) : core::Result<std::string>(report::render_html(*in));
    }
    report::AnalystOptions o;
    o.from_ns = from;
    o.to_ns = to;
    o.now_ns = now_ns();
    o.show_names = c.names;
    o.pseudonym_key = c.pseudonym_key;
    auto r = report::analyst_report(store, c.tenant, o);
    if (!r) {
        return core::fail(std::move(r.error()));
    }
    return pdf ? report::render_analyst_pdf(*r)
               : core::Result<std::string>(report::render_analyst_html(*r));
}

int run_report(const ReportCommand& c) {
    if ((c.member == 0) == (c.tenant == 0)) {
        return fail_usage("give exactly one of --member and --tenant");
    }
    const std::int64_t this_monday = monday_before(now_ns());
    std::int64_t from = this_monday - report::kWeekNs;
    std::int64_t to = this_monday;
    if (!c.from.empty()) {
        auto t = parse_time(c.from);
        if (!t) {
            return fail_usage("--from: expected YYYY-MM-DD or an ISO 8601 time");
        }
        from = *t;
        to = c.to.empty() ? from + report::kWeekNs : to;
    }
    if (!c.to.empty()) {
        auto t = parse_time(c.to);
        if (!t) {
            return fail_usage("--to: expected YYYY-MM-DD or an ISO 8601 time");
        }
        to = *t;
    }
    std::unique_ptr<report::GeoLookup> geo;
    if (!c.geoip_country.empty() || !c.geoip_asn.empty()) {
        auto g = report::GeoLookup::open(c.geoip_country, c.geoip_asn);
        if (!g) {
            return report_error("geoip", g.error());
        }
        geo = std::move(*g);
    }
    return with_admin_store(c.admin, [&](AdminStore& s) {
        auto body = render(*s.store, c, from, to, geo.get());
        if (!body) {
            return report_error("report", body.error());
        }
        audit_change(s, "export", c.member, c.member != 0 ? "report:member" : "report:analyst",
                     fmt::format("tenant={} from={} to={} format={}",
                                 c.member != 0 ? c.member : c.tenant, iso_time(from),
                                 iso_time(to), c.format));
        std::ofstream out(c.output, std::ios::binary | std::ios::trunc);
        out << *body;
        out.close();
        if (!out) {
            return report_error("report", core::Error::io("cannot write " + c.output));
        }
        return 0;
    });
}

}  // namespace

Command add_report_command(CLI::App& app) {
    auto opt = std::make_shared<ReportCommand>();
    auto* cmd = app.add_subcommand("report", "Write a member or analyst report from the store");
    add_admin_options(*cmd, opt->admin);
    cmd->add_option("--member", opt->member, "Member report for this member id");
    cmd->add_option("--tenant", opt->tenant, "Analyst report for this force/region/nation id");
    cmd->add_option("--from", opt->from, "Start (YYYY-MM-DD or ISO 8601, UTC); default: last "
                                         "Monday but one");
    cmd->add_option("--to", opt->to, "End, exclusive; default: a week after --from");
    cmd->add_option("--format", opt->format, "html or pdf")
        ->check(CLI::IsMember({"html", "pdf"}))
        ->capture_default_str();
    cmd->add_option("-o,--output", opt->output, "File to write")->required();
    cmd->add_flag("--names", opt->names, "Analyst report: show member names (not pseudonyms)");
    cmd->add_option("--pseudonym-key", opt->pseudonym_key,
                    "Analyst report: secret mixed into member pseudonyms");
    cmd->add_option("--geoip-country", opt->geoip_country, "MaxMind DB (.mmdb) with countries");
    cmd->add_option("--geoip-asn", opt->geoip_asn, "MaxMind DB (.mmdb) with ASNs");
    return [opt] { return run_report(*opt); };
}

}  // namespace cyberalarm::app
