#include "server/server_support.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "core/event_codec.h"
#include "server/clock.h"
#include "uplink/wire.h"

namespace cyberalarm::test {

ServerHarness::ServerHarness(const std::function<void(server::ServerConfig&)>& tune) {
    spdlog::set_level(spdlog::level::warn);
    config_.data_dir = dir_.path() / "data";
    config_.ingest = {"127.0.0.1", 0};
    config_.api = {"127.0.0.1", 0};
    if (tune) {
        tune(config_);
    }
    start();
}

ServerHarness::~ServerHarness() {
    stop();
}

void ServerHarness::start() {
    auto s = server::Server::create(config_,
                                    [this](const std::string& t) { tokens_.push_back(t); });
    server_ = must(std::move(s), "starting the server");
    must(server_->start(), "serving");
}

void ServerHarness::stop() {
    if (server_) {
        server_->stop();
        server_.reset();
    }
}

void ServerHarness::restart() {
    // The same ports, so a running collector finds the server again.
    config_.ingest.port = server_->ingest_port();
    config_.api.port = server_->api_port();
    stop();
    start();
}

std::string ServerHarness::url() const {
    return "https://127.0.0.1:" + std::to_string(server_->ingest_port());
}

std::filesystem::path ServerHarness::ca_file() const {
    return server_->data_dir().ca_cert();
}

store::TenantId ServerHarness::add_member(const std::string& name, const std::string& networks) {
    if (force_ == 0) {
        store::Tenant nation{0, store::TenantLevel::kNation, 0, "Nation", "", "", 0};
        nation = must(store().create_tenant(nation), "nation");
        store::Tenant region{0, store::TenantLevel::kRegion, nation.id, "Region", "", "", 0};
        region = must(store().create_tenant(region), "region");
        store::Tenant force{0, store::TenantLevel::kForce, region.id, "Force", "", "", 0};
        force_ = must(store().create_tenant(force), "force").id;
    }
    store::Tenant member{0, store::TenantLevel::kMember, force_, name, "education", networks, 0};
    return must(store().create_tenant(member), "member").id;
}

std::string ServerHarness::add_collector(store::TenantId member, const std::string& id,
                                         std::chrono::seconds ttl) {
    const auto now = server::wall_clock_ns();
    store::Collector c;
    c.id = id;
    c.member = member;
    c.name = id;
    c.created_ns = now;
    if (!store().get_collector(id)) {
        must(store().create_collector(c), "collector");
    }
    const std::string token = store::new_token();
    store::EnrollToken t;
    t.token_hash = store::token_hash(token);
    t.collector_id = id;
    t.member = member;
    t.created_by = "test";
    t.created_ns = now - 7'200'000'000'000;
    t.expires_ns = now + std::chrono::duration_cast<std::chrono::nanoseconds>(ttl).count();
    must(store().add_enroll_token(t), "token");
    return token;
}

core::Result<uplink::EnrollResult> ServerHarness::enroll(const std::string& token,
                                                         const std::string& name) {
    uplink::EnrollOptions o;
    o.server_url = url();
    o.token = token;
    o.ca_file = ca_file();
    o.out_dir = root() / name;
    o.overwrite = true;
    o.connect_timeout = std::chrono::seconds(5);
    o.io_timeout = std::chrono::seconds(5);
    return uplink::enroll(o);
}

namespace {

// `count` encoded events from `src` to `dst` over TCP, one second apart from `t0_s`, each
// finished by `fill(event, i)`.
template <typename Fill>
std::vector<std::string> records(const std::string& src, const std::string& dst,
                                 std::size_t count, std::int64_t t0_s, Fill fill) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < count; ++i) {
        core::Event e;
        e.time_ns = (t0_s + static_cast<std::int64_t>(i)) * 1'000'000'000;
        e.format = "test";
        e.src_ip = *core::IpAddress::parse(src);
        e.dst_ip = *core::IpAddress::parse(dst);
        e.transport = core::Transport::kTcp;
        fill(e, i);
        std::string rec;
        core::encode_event(e, rec);
        out.push_back(std::move(rec));
    }
    return out;
}

}  // namespace

std::vector<std::string> scan_records(const std::string& src, const std::string& dst,
                                      std::uint16_t first_port, std::size_t count,
                                      std::int64_t t0_s) {
    return records(src, dst, count, t0_s, [&](core::Event& e, std::size_t i) {
        e.set_src_port(40000);
        e.set_dst_port(static_cast<std::uint16_t>(first_port + i));
        e.action = core::Action::kDeny;
        e.category = core::Category::kFirewall;
    });
}

std::vector<std::string> login_failures(const std::string& src, std::size_t count,
                                        std::int64_t t0_s) {
    return records(src, "10.1.0.5", count, t0_s, [](core::Event& e, std::size_t) {
        e.set_dst_port(22);
        e.category = core::Category::kAuth;
        e.outcome = core::Outcome::kFailure;
        e.app_protocol = "ssh";
    });
}

std::string batch_body(std::uint64_t first_seq, const std::vector<std::string>& records) {
    return uplink::encode_batch(first_seq, records, 3);
}

std::vector<store::EventRecord> stored_events(store::Store& store, store::TenantId member) {
    std::vector<store::EventRecord> out;
    store::EventQuery q;
    q.member = member;
    q.limit = store::kMaxPageSize;
    for (;;) {
        auto page = must(store.search_events(store::Scope::of({member}), q), "search_events");
        out.insert(out.end(), page.items.begin(), page.items.end());
        if (page.next_cursor.empty()) {
            return out;
        }
        q.cursor = page.next_cursor;
    }
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return condition();
}

}  // namespace cyberalarm::test
