// POST /v1/enroll: a one-time token and a CSR in, a client certificate out (wire.md,
// "Enrollment"). The order matters: the CSR is checked and signed before the token is used
// up, so a bad CSR leaves the token usable; the token is then used atomically by the store,
// so two requests with one token cannot both get a certificate.
#include <spdlog/spdlog.h>

#include "server/certs.h"
#include "server/ingest_service.h"
#include "uplink/messages.h"

namespace cyberalarm::server {

namespace {

// One answer for unknown, used, expired and revoked: a caller learns nothing about tokens.
constexpr std::string_view kTokenRefused = "enrollment token unknown, used or expired";

HttpResponse answer(int status, std::string body) {
    HttpResponse res;
    res.status = status;
    res.body = std::move(body);
    return res;
}

}  // namespace

HttpResponse IngestService::handle_enroll(const HttpRequest& request) {
    if (request.method != "POST") {
        auto res = answer(405, uplink::error_json("use POST"));
        res.headers.emplace_back("Allow", "POST");
        return res;
    }
    auto refused = [this](int status, std::string_view why) {
        metrics_.enrollment(false);
        return answer(status, uplink::error_json(why));
    };
    auto req = uplink::parse_enroll_request(request.body);
    if (!req) {
        return refused(400, "malformed enrollment request: " + req.error().to_string());
    }
    const std::string hash = store::token_hash(req->token);
    auto tokens = store_.list_enroll_tokens(store::Scope::service());
    if (!tokens) {
        return refused(503, "storage unavailable; retry later");
    }
    const auto token = std::find_if(tokens->begin(), tokens->end(),
                                    [&](const auto& t) { return t.token_hash == hash; });
    if (token == tokens->end()) {
        return refused(401, kTokenRefused);
    }
    const std::string collector_id = token->collector_id;
    auto collector = store_.get_collector(collector_id);
    if (!collector || collector->revoked_ns != 0) {
        return refused(401, kTokenRefused);
    }
    auto cert = uplink::sign_client_csr(ca_, req->csr_pem, collector_id, options_.client_cert_days);
    if (!cert) {
        return refused(400, "certificate request refused: " + cert.error().message());
    }
    auto facts = certificate_facts(*cert);
    if (!facts) {
        return refused(500, "internal error: issued certificate unreadable");
    }
    const std::int64_t t = now();
    auto used = store_.use_enroll_token(hash, t);
    if (!used) {
        if (used.error().code() == core::ErrorCode::kUnauthenticated) {
            return refused(401, kTokenRefused);
        }
        return refused(503, "storage unavailable; retry later");
    }
    if (used->collector_id != collector_id) {
        return refused(500, "internal error: token changed during enrollment");
    }
    if (auto st = store_.set_collector_certificate(collector_id, facts->serial_hex,
                                                   facts->not_after_ns, t);
        !st) {
        spdlog::error("event=enroll_record_failed collector={} reason=\"{}\"", collector_id,
                      st.error().message());
        return refused(503, "storage unavailable; the token is spent, ask for a new one");
    }
    store::AuditRecord audit;
    audit.time_ns = t;
    audit.actor = "collector:" + collector_id;
    audit.action = "enroll";
    audit.member = used->member;
    audit.target = "collector:" + collector_id;
    audit.detail = "serial=" + facts->serial_hex + " peer=" + request.peer_address;
    if (auto st = store_.append_audit(std::move(audit)); !st) {
        spdlog::error("event=audit_failed action=enroll collector={} reason=\"{}\"", collector_id,
                      st.error().message());
    }
    spdlog::info("event=enrolled collector={} member={} serial={}", collector_id, used->member,
                 facts->serial_hex);
    metrics_.enrollment(true);
    return answer(200, uplink::to_json(uplink::EnrollResponse{collector_id, *cert, ca_.cert_pem}));
}

}  // namespace cyberalarm::server
