// The audit log's proof (audit_chain.h) against a real SQLite file edited behind the store's
// back, the member's access-transparency log, and the operator's data map.
#include <gtest/gtest.h>

#include <map>
#include <sqlite3.h>

#include "server/api/audit_chain.h"
#include "server/api/secrets.h"
#include "store_world.h"

namespace cyberalarm::server::api::test {
namespace {

using nlohmann::json;

// Runs SQL on the store's file directly, as someone with write access to it could.
void tamper(const World& w, const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((w.dir.path() / "store.db").c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
}

SigningKey test_key(unsigned char fill) {
    SecretKey seed{};
    seed.fill(fill);
    return signing_key_from_seed(seed);
}

// A world whose log holds a few API reads and a signed checkpoint; returns the key's hex.
std::string with_checkpoint(World& w, const SigningKey& key) {
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(w.call("GET", "/api/v1/events", w.viewer_a.token).status, 200);
    }
    auto cp = append_checkpoint(*w.store, key, w.now.load());
    EXPECT_TRUE(cp && cp->seq > 0);
    EXPECT_EQ(w.call("GET", "/api/v1/findings", w.viewer_a.token).status, 200);
    return public_key_hex(key);
}

std::vector<std::string> kinds_at(const ChainReport& r, std::int64_t seq) {
    std::vector<std::string> out;
    for (const auto& p : r.problems) {
        if (p.seq == seq) {
            out.push_back(p.kind);
        }
    }
    return out;
}

TEST(ApiAudit, AnIntactChainWithSignedCheckpointsVerifies) {
    World w;
    const auto key = test_key(7);
    const auto pub = with_checkpoint(w, key);
    auto r = verify_store(*w.store, pub);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok()) << r->problems.front().message;
    EXPECT_EQ(r->checkpoints, 1);
    EXPECT_EQ(r->checkpoints_verified, 1);
    EXPECT_EQ(r->first_seq, 1);
    EXPECT_EQ(r->last_seq, w.store->audit_head()->seq);
    // A new record needs a new checkpoint; one right after a checkpoint is not needed.
    EXPECT_GT(append_checkpoint(*w.store, key, w.now.load())->seq, 0);
    EXPECT_EQ(append_checkpoint(*w.store, key, w.now.load())->seq, 0);
}

TEST(ApiAudit, ARowEditedInTheDatabaseIsNamed) {
    World w;
    const auto pub = with_checkpoint(w, test_key(7));
    tamper(w, "UPDATE audit SET actor = 'user:999' WHERE seq = 3");
    auto r = verify_store(*w.store, pub);
    ASSERT_TRUE(r);
    EXPECT_EQ(kinds_at(*r, 3), std::vector<std::string>{"edited"});
    EXPECT_EQ(r->problems.size(), 1u);
}

TEST(ApiAudit, AnEditWithRecomputedHashesBreaksTheLinkOrTheCheckpoint) {
    World w;
    const auto pub = with_checkpoint(w, test_key(7));
    // The editor recomputes record 2's hash so it matches its new fields.
    auto records = w.store->read_audit(2, 1, std::nullopt);
    ASSERT_TRUE(records && records->size() == 1);
    auto rec = records->front();
    rec.detail = "rewritten";
    rec.hash = store::audit_hash(rec);
    tamper(w, "UPDATE audit SET detail = 'rewritten', hash = '" + rec.hash + "' WHERE seq = 2");
    auto r = verify_store(*w.store, pub);
    ASSERT_TRUE(r);
    EXPECT_TRUE(kinds_at(*r, 2).empty());
    EXPECT_EQ(kinds_at(*r, 3), std::vector<std::string>{"reordered"});
}

TEST(ApiAudit, DeletedAndReorderedRecordsAreNamed) {
    World w;
    const auto pub = with_checkpoint(w, test_key(7));
    tamper(w, "DELETE FROM audit WHERE seq = 4");
    auto r = verify_store(*w.store, pub);
    ASSERT_TRUE(r);
    EXPECT_EQ(kinds_at(*r, 5), std::vector<std::string>{"deleted"});

    World t;
    with_checkpoint(t, test_key(7));
    const auto last = t.store->audit_head()->seq;
    tamper(t, "DELETE FROM audit WHERE seq = " + std::to_string(last));
    r = verify_store(*t.store, pub);
    ASSERT_TRUE(r);
    EXPECT_EQ(kinds_at(*r, last), std::vector<std::string>{"deleted"});

    World o;
    with_checkpoint(o, test_key(7));
    // Two records swap places (their seqs swapped, hashes left as they were).
    tamper(o, "UPDATE audit SET seq = -1 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 3; "
              "UPDATE audit SET seq = 3 WHERE seq = -1");
    r = verify_store(*o.store, pub);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->ok());
    EXPECT_FALSE(kinds_at(*r, 2).empty());
    EXPECT_FALSE(kinds_at(*r, 3).empty());
}

TEST(ApiAudit, CheckpointsBySomeoneElseOrForgedAreNamed) {
    World w;
    const auto pub = with_checkpoint(w, test_key(7));
    // A checkpoint signed with another key is not trusted.
    auto other = append_checkpoint(*w.store, test_key(8), w.now.load());
    ASSERT_TRUE(other && other->seq > 0);
    auto r = verify_store(*w.store, pub);
    ASSERT_TRUE(r);
    EXPECT_EQ(kinds_at(*r, other->seq), std::vector<std::string>{"checkpoint"});
    EXPECT_EQ(r->checkpoints, 2);
    EXPECT_EQ(r->checkpoints_verified, 1);
    // Without a trusted key, each checkpoint still proves it was not edited.
    EXPECT_TRUE(verify_store(*w.store, "")->ok());
    // The whole chain rewritten from record 2 with recomputed hashes still fails: the
    // checkpoint's signature covers the old head.
    World x;
    const auto pub_x = with_checkpoint(x, test_key(7));
    auto all = x.store->read_audit(1, 1000, std::nullopt);
    ASSERT_TRUE(all);
    std::string sql;
    std::string prev;
    for (auto rec : *all) {
        if (rec.seq == 2) {
            rec.detail = "rewritten";
        }
        rec.prev_hash = prev;
        prev = rec.hash = store::audit_hash(rec);  // a checkpoint cannot be re-signed
        sql += "UPDATE audit SET detail = '" + rec.detail + "', prev_hash = '" + rec.prev_hash +
               "', hash = '" + rec.hash + "' WHERE seq = " + std::to_string(rec.seq) + ";";
    }
    sql += "UPDATE audit_head SET hash = '" + prev + "';";
    tamper(x, sql);
    r = verify_store(*x.store, pub_x);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->problems.size(), 1u);
    ASSERT_FALSE(r->problems.empty());
    EXPECT_EQ(r->problems[0].kind, "checkpoint");
}

TEST(ApiAudit, ServerAppendsCheckpointsPeriodically) {
    World w;
    ApiOptions options;
    options.now_ns = [&w] { return w.now.load(); };
    options.audit_signing_key = test_key(9);
    options.audit_checkpoint_interval_s = 3600;
    ApiService api(*w.store, options);
    HttpRequest get;
    get.method = "GET";
    get.target = "/api/v1/events";
    get.peer_address = "192.0.2.1";
    get.headers["authorization"] = "Bearer " + w.viewer_a.token;
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(api.handle(get).status, 200);
    }
    EXPECT_EQ(w.audit_with("checkpoint").size(), 1u);
    w.now += 3601 * kS;
    EXPECT_EQ(api.handle(get).status, 200);
    EXPECT_EQ(w.audit_with("checkpoint").size(), 2u);
    EXPECT_TRUE(verify_store(*w.store, public_key_hex(*options.audit_signing_key))->ok());
}

TEST(ApiAudit, MembersSeeEveryAccessToTheirDataWithTheGrant) {
    World w;
    const auto grant = w.grant(w.force_analyst, w.a, kT0 + 86400 * kS);
    ASSERT_EQ(w.call("GET", "/api/v1/events?member=" + std::to_string(w.a.id) + "&port=22",
                     w.force_analyst.token)
                  .status,
              200);
    ASSERT_EQ(w.call("GET", "/api/v1/findings", w.admin_a.token).status, 200);
    ASSERT_EQ(w.call("GET", "/api/v1/events", w.admin_b.token).status, 200);  // not A's

    const std::string path = "/api/v1/members/" + std::to_string(w.a.id) + "/access-log";
    const auto r = w.call("GET", path, w.viewer_a.token);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto items = w.json_of(r)["items"];
    bool analyst_seen = false;
    for (const auto& item : items) {
        EXPECT_NE(item["who"]["actor"], "user:" + std::to_string(w.admin_b.id));
        if (item["who"]["actor"] == "user:" + std::to_string(w.force_analyst.id)) {
            analyst_seen = true;
            EXPECT_EQ(item["who"]["role"], "force_analyst");
            EXPECT_EQ(item["what"], "events");
            EXPECT_EQ(item["basis"], "grant:" + std::to_string(grant));
            EXPECT_EQ(item["grant"]["id"], grant);
            EXPECT_FALSE(item["grant"]["purpose"].get<std::string>().empty());
            EXPECT_NE(item["filters"].get<std::string>().find("port=22"), std::string::npos);
            EXPECT_TRUE(item["time"].is_string());
        }
    }
    EXPECT_TRUE(analyst_seen) << r.body;
    // Another member's log is not there; analysts and the operator may not use the route.
    const std::string b_path = "/api/v1/members/" + std::to_string(w.b.id) + "/access-log";
    EXPECT_EQ(w.call("GET", b_path, w.viewer_a.token).status, 404);
    EXPECT_EQ(w.call("GET", "/api/v1/members/999999/access-log", w.viewer_a.token).body,
              w.call("GET", b_path, w.viewer_a.token).body);
    EXPECT_EQ(w.call("GET", path, w.force_analyst.token).status, 403);
    EXPECT_EQ(w.call("GET", path, w.op.token).status, 403);
}

TEST(ApiAudit, DataMapShowsWhereDataIsWhoReachesItAndFlags) {
    World w;
    // A grant past its expiry, and an analyst unused for months.
    const auto grant = w.grant(w.force_analyst, w.a, kT0 + 86400 * kS);
    w.now += 2 * 86400 * kS;
    const auto r = w.call("GET", "/api/v1/data-map", w.op.token);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto j = w.json_of(r);
    std::set<std::string> classes;
    for (const auto& c : j["classes"]) {
        classes.insert(c["name"]);
        EXPECT_FALSE(c["stored"].get<std::string>().empty());
        EXPECT_FALSE(c["retention"].get<std::string>().empty());
    }
    for (const char* name : {"member contact details", "user credentials", "collector identities",
                             "event metadata", "findings", "scan results", "reports", "audit log"}) {
        EXPECT_TRUE(classes.count(name)) << name;
    }
    bool grant_flagged = false;
    bool smtp = false;
    bool collector = false;
    for (const auto& a : j["access"]) {
        const std::string basis = a["basis"];
        if (a["kind"] == "grant" && basis.rfind("grant:" + std::to_string(grant), 0) == 0) {
            grant_flagged = a["flags"].dump().find("past its expiry") != std::string::npos;
        }
        smtp = smtp || (a["kind"] == "integration" && a["who"] == "smtp smtp://mail.test:587");
        collector = collector || a["kind"] == "collector";
    }
    EXPECT_TRUE(grant_flagged) << r.body;
    EXPECT_TRUE(smtp);
    EXPECT_TRUE(collector);
    EXPECT_GT(j["flagged"].get<int>(), 0);
    // Data past retention: events older than 90 days exist only after time moves on.
    EXPECT_EQ(r.body.find("data past retention"), std::string::npos) << r.body;
    w.now += 100 * 86400 * kS;
    const auto later = w.call("GET", "/api/v1/data-map?format=markdown", w.op.token);
    ASSERT_EQ(later.status, 200);
    EXPECT_EQ(later.content_type, "text/markdown; charset=utf-8");
    EXPECT_NE(later.body.find("data past retention"), std::string::npos);
    EXPECT_NE(later.body.find("stale"), std::string::npos);
    EXPECT_NE(later.body.find("| grant |"), std::string::npos);
    // The operator's, and audited.
    EXPECT_EQ(w.call("GET", "/api/v1/data-map", w.admin_a.token).status, 403);
    bool audited = false;
    for (const auto& rec : w.audit_with("read")) {
        audited = audited || rec.target == "data-map";
    }
    EXPECT_TRUE(audited);
    // Reports (kept 730 days), scan results (365) and the audit log (kept for good by default)
    // are checked too: after two more years the world's report and scan results are past.
    w.now += 2 * 365 * 86400 * kS;
    const std::string op_token = w.token_for(w.op.id, "read write admin", w.now + 86400 * kS);
    const auto years = w.call("GET", "/api/v1/data-map", op_token);
    ASSERT_EQ(years.status, 200);
    std::map<std::string, std::string> flags_of;
    const auto map = nlohmann::json::parse(years.body);
    for (const auto& c : map["classes"]) {
        flags_of[c["name"].get<std::string>()] = c["flags"].dump();
    }
    EXPECT_NE(flags_of["reports"].find("data past retention"), std::string::npos) << years.body;
    EXPECT_NE(flags_of["scan results"].find("data past retention"), std::string::npos) << years.body;
    EXPECT_EQ(flags_of["audit log"].find("data past retention"), std::string::npos) << years.body;
}

}  // namespace
}  // namespace cyberalarm::server::api::test
