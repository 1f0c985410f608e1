#include "store_conformance.h"

namespace cyberalarm::store::test {

void StoreConformance::SetUp() {
    auto opened = GetParam().open(dir_.path());
    ASSERT_TRUE(opened) << opened.error().to_string();
    store_ = std::move(*opened);
}

void StoreConformance::reopen() {
    store_.reset();
    auto opened = GetParam().open(dir_.path());
    ASSERT_TRUE(opened) << opened.error().to_string();
    store_ = std::move(*opened);
}

namespace {
Tenant tenant(TenantLevel level, TenantId parent, std::string name) {
    Tenant t;
    t.level = level;
    t.parent = parent;
    t.name = std::move(name);
    return t;
}
}  // namespace

Tenants StoreConformance::make_tree() {
    Tenants t;
    auto create = [&](Tenant in) {
        auto made = store_->create_tenant(std::move(in));
        EXPECT_TRUE(made) << made.error().to_string();
        return made ? *made : Tenant{};
    };
    t.nation = create(tenant(TenantLevel::kNation, 0, "England"));
    t.region = create(tenant(TenantLevel::kRegion, t.nation.id, "North West"));
    t.force1 = create(tenant(TenantLevel::kForce, t.region.id, "Force One"));
    t.force2 = create(tenant(TenantLevel::kForce, t.region.id, "Force Two"));
    Tenant a = tenant(TenantLevel::kMember, t.force1.id, "School A");
    a.networks = "192.0.2.0/24";
    t.a = create(a);
    t.b = create(tenant(TenantLevel::kMember, t.force1.id, "Charity B"));
    t.c = create(tenant(TenantLevel::kMember, t.force2.id, "Council C"));
    for (const auto& [id, member] :
         {std::pair{"col-a", t.a.id}, std::pair{"col-b", t.b.id}, std::pair{"col-c", t.c.id}}) {
        Collector c;
        c.id = id;
        c.member = member;
        c.name = std::string("gateway ") + id;
        auto st = store_->create_collector(c);
        EXPECT_TRUE(st) << st.error().to_string();
    }
    return t;
}

core::Event make_event(std::int64_t time_ns, std::string_view src, std::string_view dst,
                       std::uint16_t port, core::Category category, core::Action action) {
    core::Event e;
    e.time_ns = time_ns;
    e.format = "iptables";
    e.observer_name = "gw1";
    e.src_ip = *core::IpAddress::parse(src);
    e.dst_ip = *core::IpAddress::parse(dst);
    e.set_src_port(40000);
    e.set_dst_port(port);
    e.set_transport(core::Transport::kTcp);
    e.category = category;
    e.action = action;
    e.rule_name = "drop-inbound";
    return e;
}

}  // namespace cyberalarm::store::test
