// JSON views of store records: the only way a record leaves the API. Each view lists the
// fields it shows, so a field added to a store struct stays private until someone adds it
// here on purpose. Never shown: password_hash, totp_secret (only whether one is set), token
// hashes, enrollment tokens, report bodies (served raw by GET /reports/{id}).
//
// Thread safety: pure functions.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/ecs_json.h"
#include "store/store.h"

namespace cyberalarm::server::api {

// `with_networks`: the member's declared networks, for callers allowed its data.
[[nodiscard]] nlohmann::json tenant_json(const store::Tenant& tenant, bool with_networks);
// `with_challenge`: the verification token to publish, for the member's admins.
[[nodiscard]] nlohmann::json asset_json(const store::Asset& asset, bool with_challenge);
[[nodiscard]] nlohmann::json collector_json(const store::Collector& collector);
[[nodiscard]] nlohmann::json enroll_token_json(const store::EnrollToken& token);
[[nodiscard]] nlohmann::json report_json(const store::ReportRecord& report);
[[nodiscard]] nlohmann::json scan_run_json(const store::ScanRun& run);
[[nodiscard]] nlohmann::json scan_result_json(const store::ScanResult& result);
[[nodiscard]] nlohmann::json user_json(const store::User& user);
[[nodiscard]] nlohmann::json grant_json(const store::Grant& grant);
[[nodiscard]] nlohmann::json api_token_json(const store::ApiToken& token);
[[nodiscard]] nlohmann::json audit_json(const store::AuditRecord& record);

// {"id":…,"member":…,"collector_id":"…","event":<ECS object>} appended to `out`; built as
// text because event searches are the hot path.
void append_event_json(core::EcsWriter& writer, const store::EventRecord& record,
                       std::string& out);
// {"id":…,"member":…,"status":…,"created":…,"updated":…,"finding":<detect::to_json>}.
void append_finding_json(const store::FindingRecord& record, std::string& out);

}  // namespace cyberalarm::server::api
