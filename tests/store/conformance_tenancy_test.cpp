// Conformance: tenants and their hierarchy, assets, collectors, enrollment and API tokens,
// users and grants.
#include <atomic>
#include <thread>

#include "store_conformance.h"

namespace cyberalarm::store::test {
namespace {

using core::ErrorCode;

const std::string kHashA(64, 'a');
const std::string kHashB(64, 'b');

TEST_P(StoreConformance, TenantHierarchyFollowsLevels) {
    const Tenants t = make_tree();
    Tenant bad;
    bad.level = TenantLevel::kMember;
    bad.parent = t.region.id;  // a member belongs under a force
    bad.name = "Misplaced";
    auto made = store_->create_tenant(bad);
    ASSERT_FALSE(made);
    EXPECT_EQ(made.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(made.error().field(), "parent");

    bad.parent = 987654;  // no such tenant
    EXPECT_EQ(store_->create_tenant(bad).error().code(), ErrorCode::kInvalidArgument);

    Tenant nation_with_parent;
    nation_with_parent.level = TenantLevel::kNation;
    nation_with_parent.parent = t.nation.id;
    nation_with_parent.name = "Wales";
    EXPECT_EQ(store_->create_tenant(nation_with_parent).error().code(),
              ErrorCode::kInvalidArgument);

    Tenant twin = t.b;
    twin.id = 0;
    auto dup = store_->create_tenant(twin);
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code(), ErrorCode::kAlreadyExists);
    twin.parent = t.force2.id;  // the same name under another force is fine
    EXPECT_TRUE(store_->create_tenant(twin));

    Tenant empty_name = t.a;
    empty_name.id = 0;
    empty_name.name = "";
    EXPECT_EQ(store_->create_tenant(empty_name).error().field(), "name");
    Tenant bad_net = t.a;
    bad_net.id = 0;
    bad_net.name = "Bad Net";
    bad_net.networks = "10.0.0.0/8, not-a-network";
    EXPECT_EQ(store_->create_tenant(bad_net).error().field(), "networks");
}

TEST_P(StoreConformance, TenantsReadListAndUpdate) {
    const Tenants t = make_tree();
    auto got = store_->get_tenant(t.a.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->name, "School A");
    EXPECT_EQ(got->networks, "192.0.2.0/24");
    EXPECT_EQ(got->parent, t.force1.id);
    EXPECT_GT(got->created_ns, 0);
    EXPECT_EQ(store_->get_tenant(424242).error().code(), ErrorCode::kNotFound);

    auto nations = store_->list_tenants(TenantId{0});
    ASSERT_TRUE(nations);
    ASSERT_EQ(nations->size(), 1u);
    EXPECT_EQ(nations->front().id, t.nation.id);
    auto under_f1 = store_->list_tenants(t.force1.id);
    ASSERT_TRUE(under_f1);
    EXPECT_EQ(under_f1->size(), 2u);
    EXPECT_EQ(store_->list_tenants(std::nullopt)->size(), 7u);

    Tenant renamed = *got;
    renamed.name = "School A (Academy)";
    renamed.sector = "education";
    ASSERT_TRUE(store_->update_tenant(renamed));
    EXPECT_EQ(store_->get_tenant(t.a.id)->sector, "education");
    renamed.parent = t.force2.id;
    EXPECT_EQ(store_->update_tenant(renamed).error().code(), ErrorCode::kInvalidArgument);
    Tenant clash = *store_->get_tenant(t.b.id);
    clash.name = "School A (Academy)";
    EXPECT_EQ(store_->update_tenant(clash).error().code(), ErrorCode::kAlreadyExists);
}

TEST_P(StoreConformance, MembersUnderWalksTheTree) {
    const Tenants t = make_tree();
    EXPECT_EQ(*store_->members_under(t.nation.id),
              (std::vector<TenantId>{t.a.id, t.b.id, t.c.id}));
    EXPECT_EQ(*store_->members_under(t.region.id),
              (std::vector<TenantId>{t.a.id, t.b.id, t.c.id}));
    EXPECT_EQ(*store_->members_under(t.force1.id), (std::vector<TenantId>{t.a.id, t.b.id}));
    EXPECT_EQ(*store_->members_under(t.force2.id), (std::vector<TenantId>{t.c.id}));
    EXPECT_EQ(*store_->members_under(t.b.id), (std::vector<TenantId>{t.b.id}));
    EXPECT_EQ(store_->members_under(999).error().code(), ErrorCode::kNotFound);
}

TEST_P(StoreConformance, AssetsAreNormalisedAndScoped) {
    const Tenants t = make_tree();
    const Scope a = Scope::of({t.a.id});
    Asset net;
    net.member = t.a.id;
    net.kind = AssetKind::kNetwork;
    net.value = "192.0.2.7/24";
    net.verify_token = "tok";
    auto added = store_->add_asset(a, net);
    ASSERT_TRUE(added) << added.error().to_string();
    EXPECT_EQ(added->value, "192.0.2.0/24");
    EXPECT_EQ(store_->add_asset(a, net).error().code(), ErrorCode::kAlreadyExists);
    Asset dom;
    dom.member = t.a.id;
    dom.kind = AssetKind::kDomain;
    dom.value = "School-A.Example";
    auto d = store_->add_asset(a, dom);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->value, "school-a.example");
    dom.value = "bad name/../x";
    EXPECT_EQ(store_->add_asset(a, dom).error().field(), "value");

    ASSERT_TRUE(store_->mark_asset_verified(a, added->id, "dns-txt", 77));
    auto list = store_->list_assets(a, t.a.id);
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 2u);
    EXPECT_EQ((*list)[0].verified_ns, 77);
    EXPECT_EQ((*list)[0].verified_by, "dns-txt");
    ASSERT_TRUE(store_->delete_asset(a, d->id));
    EXPECT_EQ(store_->list_assets(a, t.a.id)->size(), 1u);
}

TEST_P(StoreConformance, CollectorsAndCertificates) {
    const Tenants t = make_tree();
    Collector dup;
    dup.id = "col-a";
    dup.member = t.a.id;
    EXPECT_EQ(store_->create_collector(dup).error().code(), ErrorCode::kAlreadyExists);
    dup.id = "bad id with spaces";
    EXPECT_EQ(store_->create_collector(dup).error().field(), "id");
    dup.id = "col-x";
    dup.member = t.force1.id;  // collectors belong to members only
    EXPECT_EQ(store_->create_collector(dup).error().code(), ErrorCode::kInvalidArgument);

    ASSERT_TRUE(store_->set_collector_certificate("col-a", "0a1b", 5000, 100));
    auto c = store_->get_collector("col-a");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->cert_serial, "0a1b");
    EXPECT_EQ(c->cert_not_after_ns, 5000);
    EXPECT_EQ(c->enrolled_ns, 100);
    EXPECT_EQ(store_->get_collector("nope").error().code(), ErrorCode::kNotFound);

    auto mine = store_->list_collectors(Scope::of({t.a.id, t.c.id}), std::nullopt);
    ASSERT_TRUE(mine);
    ASSERT_EQ(mine->size(), 2u);
    EXPECT_EQ((*mine)[0].id, "col-a");
    EXPECT_EQ((*mine)[1].id, "col-c");
    EXPECT_EQ(store_->list_collectors(Scope::service(), std::nullopt)->size(), 3u);
    EXPECT_EQ(store_->list_collectors(Scope::of({t.a.id}), t.b.id).error().code(),
              ErrorCode::kNotFound);

    ASSERT_TRUE(store_->revoke_collector("col-a", 200));
    ASSERT_TRUE(store_->revoke_collector("col-a", 300));
    EXPECT_EQ(store_->get_collector("col-a")->revoked_ns, 200);
    EXPECT_EQ(store_->set_collector_certificate("col-a", "ff", 1, 1).error().code(),
              ErrorCode::kPermissionDenied);
    EXPECT_EQ(store_->revoke_collector("nope", 1).error().code(), ErrorCode::kNotFound);
}

EnrollToken enroll_token(const std::string& hash, const std::string& collector, TenantId member) {
    EnrollToken tok;
    tok.token_hash = hash;
    tok.collector_id = collector;
    tok.member = member;
    tok.created_by = "user:1";
    tok.created_ns = 1000;
    tok.expires_ns = 10'000;
    return tok;
}

TEST_P(StoreConformance, EnrollTokenRefusalsLookAlike) {
    const Tenants t = make_tree();
    ASSERT_TRUE(store_->add_enroll_token(enroll_token(kHashA, "col-a", t.a.id)));
    ASSERT_TRUE(store_->add_enroll_token(enroll_token(kHashB, "col-b", t.b.id)));
    // A token for another member's collector is refused when made.
    EXPECT_EQ(store_->add_enroll_token(enroll_token(std::string(64, 'c'), "col-a", t.b.id))
                  .error()
                  .code(),
              ErrorCode::kInvalidArgument);

    auto expired = store_->use_enroll_token(kHashA, 10'000);
    ASSERT_FALSE(expired);
    auto used = store_->use_enroll_token(kHashA, 5000);
    ASSERT_TRUE(used) << used.error().to_string();
    EXPECT_EQ(used->collector_id, "col-a");
    EXPECT_EQ(used->member, t.a.id);
    EXPECT_EQ(used->used_ns, 0);  // as it was before use
    auto again = store_->use_enroll_token(kHashA, 5001);
    auto unknown = store_->use_enroll_token(std::string(64, 'd'), 5001);
    auto malformed = store_->use_enroll_token("not-hex", 5001);
    ASSERT_TRUE(store_->revoke_collector("col-b", 5002));
    auto revoked = store_->use_enroll_token(kHashB, 5003);
    for (const auto* r : {&expired, &again, &unknown, &malformed, &revoked}) {
        ASSERT_FALSE(*r);
        EXPECT_EQ(r->error().code(), ErrorCode::kUnauthenticated);
        EXPECT_EQ(r->error().message(), expired.error().message());
    }
    auto listed = store_->list_enroll_tokens(Scope::of({t.a.id}));
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ(listed->front().used_ns, 5000);
}

TEST_P(StoreConformance, EnrollTokenIsSingleUseUnderConcurrency) {
    const Tenants t = make_tree();
    ASSERT_TRUE(store_->add_enroll_token(enroll_token(kHashA, "col-a", t.a.id)));
    constexpr int kThreads = 8;
    std::atomic<int> wins{0};
    std::atomic<int> refusals{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&] {
            while (!go.load()) {
                std::this_thread::yield();
            }
            auto r = store_->use_enroll_token(kHashA, 2000);
            if (r) {
                ++wins;
            } else if (r.error().code() == ErrorCode::kUnauthenticated) {
                ++refusals;
            }
        });
    }
    go = true;
    for (auto& th : threads) {
        th.join();
    }
    EXPECT_EQ(wins.load(), 1);
    EXPECT_EQ(refusals.load(), kThreads - 1);
}

User make_user(TenantId tenant, Role role, std::string email) {
    User u;
    u.tenant = tenant;
    u.role = role;
    u.email = std::move(email);
    u.display_name = "Someone";
    u.password_hash = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA";
    return u;
}

TEST_P(StoreConformance, UsersSitAtTheirRolesLevel) {
    const Tenants t = make_tree();
    auto viewer = store_->create_user(make_user(t.a.id, Role::kMemberViewer, "Ann@School.Example"));
    ASSERT_TRUE(viewer) << viewer.error().to_string();
    EXPECT_EQ(viewer->email, "ann@school.example");
    EXPECT_EQ(store_->create_user(make_user(t.a.id, Role::kMemberAdmin, "ann@school.example"))
                  .error()
                  .code(),
              ErrorCode::kAlreadyExists);
    EXPECT_EQ(store_->create_user(make_user(t.a.id, Role::kForceAnalyst, "x@police.example"))
                  .error()
                  .field(),
              "tenant");
    EXPECT_EQ(store_->create_user(make_user(t.a.id, Role::kMemberViewer, "no-at-sign"))
                  .error()
                  .field(),
              "email");
    auto analyst = store_->create_user(make_user(t.force1.id, Role::kForceAnalyst, "fa@police.example"));
    ASSERT_TRUE(analyst);
    auto op = store_->create_user(make_user(0, Role::kOperator, "root@ops.example"));
    ASSERT_TRUE(op) << op.error().to_string();
    EXPECT_EQ(store_->get_user(op->id)->tenant, 0);

    auto found = store_->find_user_by_email("ANN@school.example");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->id, viewer->id);
    EXPECT_EQ(store_->find_user_by_email("nobody@x.example").error().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store_->list_users(t.a.id)->size(), 1u);
    EXPECT_EQ(store_->list_users(std::nullopt)->size(), 3u);

    User changed = *found;
    changed.disabled_ns = 99;
    changed.last_login_ns = 98;
    ASSERT_TRUE(store_->update_user(changed));
    EXPECT_EQ(store_->get_user(viewer->id)->disabled_ns, 99);
    changed.id = 4242;
    EXPECT_EQ(store_->update_user(changed).error().code(), ErrorCode::kNotFound);
}

TEST_P(StoreConformance, GrantsExpireAndRevoke) {
    const Tenants t = make_tree();
    auto analyst = store_->create_user(make_user(t.force1.id, Role::kForceAnalyst, "fa@p.example"));
    ASSERT_TRUE(analyst);
    Grant g;
    g.user = analyst->id;
    g.member = t.a.id;
    g.purpose = "investigation 42";
    g.granted_by = analyst->id;
    g.created_ns = 10;
    g.expires_ns = 5;
    EXPECT_EQ(store_->create_grant(g).error().field(), "expires_ns");
    g.expires_ns = 1000;
    g.member = t.force1.id;
    EXPECT_EQ(store_->create_grant(g).error().field(), "member");
    g.member = t.a.id;
    auto made = store_->create_grant(g);
    ASSERT_TRUE(made) << made.error().to_string();
    ASSERT_TRUE(store_->touch_grant(made->id, 50));
    ASSERT_TRUE(store_->touch_grant(made->id, 40));  // never moves back
    ASSERT_TRUE(store_->revoke_grant(made->id, 60));
    auto listed = store_->list_grants(analyst->id);
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ(listed->front().last_used_ns, 50);
    EXPECT_EQ(listed->front().revoked_ns, 60);
    EXPECT_EQ(store_->revoke_grant(777, 1).error().code(), ErrorCode::kNotFound);
}

TEST_P(StoreConformance, ApiTokensRefuseAlikeAndRecordUse) {
    const Tenants t = make_tree();
    auto user = store_->create_user(make_user(t.a.id, Role::kMemberAdmin, "admin@a.example"));
    ASSERT_TRUE(user);
    ApiToken tok;
    tok.user = user->id;
    tok.token_hash = kHashA;
    tok.label = "cli";
    tok.scopes = "read write";
    tok.created_ns = 100;
    EXPECT_EQ(store_->create_api_token(tok).error().field(), "expires_ns");
    tok.expires_ns = 1'000'000'000'000;
    tok.scopes = "read everything";
    EXPECT_EQ(store_->create_api_token(tok).error().field(), "scopes");
    tok.scopes = "read write";
    auto made = store_->create_api_token(tok);
    ASSERT_TRUE(made) << made.error().to_string();
    tok.token_hash = kHashB;
    auto other = store_->create_api_token(tok);
    ASSERT_TRUE(other);

    auto found = store_->find_api_token(kHashA, 500);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->user, user->id);
    EXPECT_EQ(store_->list_api_tokens(user->id)->front().last_used_ns, 500);

    ASSERT_TRUE(store_->revoke_api_token(other->id, 600));
    auto revoked = store_->find_api_token(kHashB, 700);
    auto expired = store_->find_api_token(kHashA, 1'000'000'000'000);
    auto unknown = store_->find_api_token(std::string(64, 'e'), 700);
    for (const auto* r : {&revoked, &expired, &unknown}) {
        ASSERT_FALSE(*r);
        EXPECT_EQ(r->error().code(), ErrorCode::kUnauthenticated);
        EXPECT_EQ(r->error().message(), revoked.error().message());
    }
}

}  // namespace
}  // namespace cyberalarm::store::test
