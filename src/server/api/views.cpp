#include "server/api/internal/views.h"

#include "detect/finding.h"
#include "server/api/internal/reply.h"

namespace cyberalarm::server::api {

using nlohmann::json;

json tenant_json(const store::Tenant& tenant, bool with_networks) {
    json j = {{"id", tenant.id},
              {"level", store::to_string(tenant.level)},
              {"parent", tenant.parent == 0 ? json(nullptr) : json(tenant.parent)},
              {"name", tenant.name},
              {"sector", tenant.sector},
              {"created", time_json(tenant.created_ns)}};
    if (with_networks && tenant.level == store::TenantLevel::kMember) {
        j["networks"] = tenant.networks;
    }
    return j;
}

json asset_json(const store::Asset& asset, bool with_challenge) {
    json j = {{"id", asset.id},
              {"member", asset.member},
              {"kind", store::to_string(asset.kind)},
              {"value", asset.value},
              {"created", time_json(asset.created_ns)},
              {"verified", time_json(asset.verified_ns)},
              {"verified_by", asset.verified_by}};
    if (with_challenge && asset.verified_ns == 0) {
        j["verify_token"] = asset.verify_token;
    }
    return j;
}

json collector_json(const store::Collector& c) {
    const char* status = c.revoked_ns != 0     ? "revoked"
                         : c.enrolled_ns == 0  ? "awaiting_enrollment"
                         : c.last_seen_ns == 0 ? "enrolled"
                                               : "active";
    return {{"id", c.id},
            {"member", c.member},
            {"name", c.name},
            {"status", status},
            {"created", time_json(c.created_ns)},
            {"enrolled", time_json(c.enrolled_ns)},
            {"last_seen", time_json(c.last_seen_ns)},
            {"events_total", c.events_total},
            {"cert_serial", c.cert_serial},
            {"cert_not_after", time_json(c.cert_not_after_ns)},
            {"revoked", time_json(c.revoked_ns)}};
}

json enroll_token_json(const store::EnrollToken& t) {
    return {{"collector_id", t.collector_id},
            {"member", t.member},
            {"created_by", t.created_by},
            {"created", time_json(t.created_ns)},
            {"expires", time_json(t.expires_ns)},
            {"used", time_json(t.used_ns)}};
}

json report_json(const store::ReportRecord& r) {
    return {{"id", r.id},
            {"tenant", r.tenant},
            {"kind", r.kind},
            {"from", time_json(r.from_ns)},
            {"to", time_json(r.to_ns)},
            {"created", time_json(r.created_ns)},
            {"content_type", r.content_type}};
}

json scan_run_json(const store::ScanRun& r) {
    return {{"id", r.id},
            {"member", r.member},
            {"targets", r.targets},
            {"requested_by", r.requested_by},
            {"started", time_json(r.started_ns)},
            {"finished", time_json(r.finished_ns)},
            {"status", r.status}};
}

json scan_result_json(const store::ScanResult& r) {
    return {{"id", r.id},
            {"member", r.member},
            {"scan_id", r.scan_id},
            {"target", r.target},
            {"port", r.port},
            {"transport", core::to_string(r.transport)},
            {"service", r.service},
            {"product", r.product},
            {"version", r.version},
            {"check", r.check},
            {"cve", r.cve},
            {"severity", core::to_string(r.severity)},
            {"cvss", r.cvss},
            {"title", r.title},
            {"evidence", r.evidence},
            {"advice", r.advice},
            {"seen", time_json(r.seen_ns)}};
}

json user_json(const store::User& u) {
    return {{"id", u.id},
            {"tenant", u.tenant},
            {"role", store::to_string(u.role)},
            {"email", u.email},
            {"display_name", u.display_name},
            {"totp_enabled", !u.totp_secret.empty()},
            {"created", time_json(u.created_ns)},
            {"last_login", time_json(u.last_login_ns)},
            {"disabled", time_json(u.disabled_ns)}};
}

json grant_json(const store::Grant& g) {
    return {{"id", g.id},
            {"user", g.user},
            {"member", g.member},
            {"purpose", g.purpose},
            {"granted_by", g.granted_by},
            {"created", time_json(g.created_ns)},
            {"expires", time_json(g.expires_ns)},
            {"revoked", time_json(g.revoked_ns)},
            {"last_used", time_json(g.last_used_ns)}};
}

json api_token_json(const store::ApiToken& t) {
    return {{"id", t.id},
            {"user", t.user},
            {"label", t.label},
            {"scopes", t.scopes},
            {"created", time_json(t.created_ns)},
            {"expires", time_json(t.expires_ns)},
            {"revoked", time_json(t.revoked_ns)},
            {"last_used", time_json(t.last_used_ns)}};
}

json audit_json(const store::AuditRecord& r) {
    return {{"seq", r.seq},
            {"time", time_json(r.time_ns)},
            {"actor", r.actor},
            {"action", r.action},
            {"member", r.member},
            {"target", r.target},
            {"detail", r.detail}};
}

void append_event_json(core::EcsWriter& writer, const store::EventRecord& record,
                       std::string& out) {
    out += "{\"id\":";
    out += std::to_string(record.id);
    out += ",\"member\":";
    out += std::to_string(record.member);
    out += ",\"collector_id\":";
    out += dump(json(record.collector_id));
    out += ",\"event\":";
    writer.append(record.event, out);
    out += '}';
}

void append_finding_json(const store::FindingRecord& record, std::string& out) {
    json head = {{"id", record.finding.id},
                 {"member", record.member},
                 {"status", store::to_string(record.status)},
                 {"created", time_json(record.created_ns)},
                 {"updated", time_json(record.updated_ns)}};
    std::string text = dump(head);
    text.pop_back();  // the closing brace: the finding follows inside the same object
    out += text;
    out += ",\"finding\":";
    out += detect::to_json(record.finding);
    out += '}';
}

}  // namespace cyberalarm::server::api
