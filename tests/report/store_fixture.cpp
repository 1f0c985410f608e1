#include "store_fixture.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/child_process.h"
#include "store/sqlite/sqlite_store.h"

namespace cyberalarm::report::test {

StoreFixture::StoreFixture() {
    auto s = store::open_sqlite(dir_.path() / "store.db");
    EXPECT_TRUE(s) << s.error().to_string();
    store_ = std::move(*s);
    auto create = [&](store::TenantLevel level, store::TenantId parent, std::string name) {
        store::Tenant t;
        t.level = level;
        t.parent = parent;
        t.name = std::move(name);
        auto made = store_->create_tenant(t);
        EXPECT_TRUE(made) << made.error().to_string();
        return made ? *made : store::Tenant{};
    };
    tree_.nation = create(store::TenantLevel::kNation, 0, "England");
    tree_.region = create(store::TenantLevel::kRegion, tree_.nation.id, "North West");
    tree_.force1 = create(store::TenantLevel::kForce, tree_.region.id, "Force One");
    tree_.force2 = create(store::TenantLevel::kForce, tree_.region.id, "Force Two");
    tree_.members.push_back(add_member(tree_.force1, "Acme <School>", "education"));
    tree_.members.push_back(add_member(tree_.force1, "Brook Charity", "charity"));
    tree_.members.push_back(add_member(tree_.force2, "Cole Council", "government"));
}

store::Tenant StoreFixture::add_member(const store::Tenant& force, std::string name,
                                       std::string sector) {
    store::Tenant t;
    t.level = store::TenantLevel::kMember;
    t.parent = force.id;
    t.name = std::move(name);
    t.sector = std::move(sector);
    t.networks = "192.0.2.0/24";
    auto made = store_->create_tenant(t);
    EXPECT_TRUE(made) << made.error().to_string();
    store::Collector c;
    c.id = "col-" + std::to_string(made->id);
    c.member = made->id;
    c.name = "gateway";
    auto st = store_->create_collector(c);
    EXPECT_TRUE(st) << st.error().to_string();
    return *made;
}

void StoreFixture::events(const store::Tenant& member, const std::vector<core::Event>& events) {
    seq_ += events.size();
    auto st = store_->append_events("col-" + std::to_string(member.id), events, seq_, 1);
    ASSERT_TRUE(st) << st.error().to_string();
}

void StoreFixture::finding(const store::Tenant& member, std::string id, detect::FindingKind kind,
                           core::Severity severity, std::int64_t last_seen_ns, std::string title) {
    detect::Finding f;
    f.id = std::move(id);
    f.kind = kind;
    f.severity = severity;
    f.title = title.empty() ? f.id : std::move(title);
    f.count = 10;
    f.first_seen_ns = last_seen_ns - kSec;
    f.last_seen_ns = last_seen_ns;
    f.sources = {*core::IpAddress::parse("198.51.100.7")};
    f.distinct_sources = 1;
    ASSERT_TRUE(store_->upsert_findings(member.id, std::span(&f, 1), last_seen_ns));
}

void StoreFixture::scan_result(const store::Tenant& member, store::ScanResult result) {
    store::ScanRun run;
    run.member = member.id;
    run.targets = result.target;
    run.requested_by = "test";
    run.started_ns = result.seen_ns;
    auto started = store_->start_scan(store::Scope::service(), run);
    ASSERT_TRUE(started) << started.error().to_string();
    result.member = member.id;
    result.scan_id = started->id;
    ASSERT_TRUE(store_->add_scan_results(started->id, std::span(&result, 1)));
    ASSERT_TRUE(store_->finish_scan(started->id, "done", result.seen_ns + kSec));
}

core::Event make_event(std::int64_t time_ns, std::string_view src, std::string_view dst,
                       std::uint16_t port, core::Action action) {
    core::Event e;
    e.time_ns = time_ns;
    e.format = "iptables";
    e.src_ip = *core::IpAddress::parse(src);
    e.dst_ip = *core::IpAddress::parse(dst);
    e.set_dst_port(port);
    e.set_transport(core::Transport::kTcp);
    e.direction = core::Direction::kInbound;
    e.category = core::Category::kFirewall;
    e.action = action;
    return e;
}

std::optional<std::string> pdf_text(const std::filesystem::path& dir, const std::string& pdf) {
    if (!std::filesystem::exists("/usr/bin/pdftotext")) {
        return std::nullopt;
    }
    const auto in = dir / "report.pdf";
    std::ofstream(in, std::ios::binary) << pdf;
    auto r = cyberalarm::test::run_command({"/usr/bin/pdftotext", "-q", in.string(), "-"}, dir);
    EXPECT_EQ(r.exit_code, 0) << "pdftotext could not read the PDF: " << r.err;
    return r.out;
}

}  // namespace cyberalarm::report::test
