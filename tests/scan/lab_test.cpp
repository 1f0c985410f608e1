// Accuracy on real services: starts the shared lab (../shared/scripts/lab-services.sh) on
// loopback ports of its own, scans the ports the lab lists, and checks that every service,
// version and weakness the lab sets up is found (versions from the lab's services.tsv, i.e.
// the Debian packages installed). Skips with the reason when the lab cannot start (not root,
// packages missing and no apt). Label: corpus.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>

#include "scan/report.h"
#include "scan/scanner.h"
#include "support/test_support.h"

extern char** environ;

namespace cyberalarm::scan {
namespace {

std::filesystem::path lab_script() {
    return test::source_dir() / ".." / "shared" / "scripts" / "lab-services.sh";
}

// The lab on ports of this test's own (LAB_PORT_* overrides), so a developer's lab on the
// default ports does not collide with it.
std::vector<std::string> lab_env() {
    int base = 23000 + static_cast<int>(::getpid() % 40) * 50;
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        env.emplace_back(*e);
    }
    const std::pair<const char*, int> ports[] = {
        {"SSH", 22}, {"FTP", 21}, {"FTP_PASV_MIN", 30}, {"FTP_PASV_MAX", 39}, {"SMTP", 25},
        {"HTTP", 80}, {"HTTPS_WEAK", 43}, {"HTTPS_GOOD", 44}, {"REDIS", 9},
        {"MEMCACHED", 11}, {"POSTGRES", 32}, {"MARIADB", 6}};
    for (const auto& [name, off] : ports) {
        env.push_back(std::string("LAB_PORT_") + name + "=" + std::to_string(base + off));
    }
    return env;
}

// Runs the lab script with fixed arguments (no shell); stdout into `out`.
int run_lab(const std::vector<std::string>& args, std::string& out, const std::filesystem::path& log) {
    std::vector<std::string> argv_s = {"/bin/bash", lab_script().string()};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : argv_s) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    std::vector<std::string> env_s = lab_env();
    std::vector<char*> envp;
    for (std::string& e : env_s) {
        envp.push_back(e.data());
    }
    envp.push_back(nullptr);
    std::filesystem::path out_file = log.string() + ".out";
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        return -1;
    }
    int st = 0;
    ::waitpid(pid, &st, 0);
    std::ifstream in(out_file);
    std::stringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

struct LabRow {
    std::uint16_t port = 0;
    std::string service, state, package, version;
};

// "1:9.2p1-2+deb12u10" → upstream "9.2p1", revision "2+deb12u10".
std::pair<std::string, std::string> debian_parts(std::string v) {
    if (auto c = v.find(':'); c != std::string::npos) {
        v = v.substr(c + 1);
    }
    auto d = v.rfind('-');
    return d == std::string::npos ? std::pair{v, std::string()} : std::pair{v.substr(0, d), v.substr(d + 1)};
}

class Lab : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (!std::filesystem::exists(lab_script())) {
            skip_ = "lab script not found at " + lab_script().string();
            return;
        }
        if (::geteuid() != 0) {
            skip_ = "the lab starts daemons as their own users and may install packages: run as root";
            return;
        }
        dir_ = new test::TempDir();
        // The daemons run as their own users (redis, postgres, mysql, postfix): they need to
        // reach their state below this directory.
        std::filesystem::permissions(dir_->path(), std::filesystem::perms::owner_all |
                                                       std::filesystem::perms::group_read |
                                                       std::filesystem::perms::group_exec |
                                                       std::filesystem::perms::others_read |
                                                       std::filesystem::perms::others_exec);
        std::string out;
        int rc = run_lab({"start", (dir_->path() / "lab").string()}, out, dir_->path() / "lab.log");
        std::ifstream tsv(dir_->path() / "lab" / "services.tsv");
        std::string line;
        std::getline(tsv, line);  // header
        while (std::getline(tsv, line)) {
            std::vector<std::string> f;
            std::stringstream ls(line);
            for (std::string cell; std::getline(ls, cell, '\t');) {
                f.push_back(cell);
            }
            if (f.size() >= 7) {
                rows_[f[2]] = LabRow{static_cast<std::uint16_t>(std::stoi(f[1])), f[2], f[3], f[5], f[6]};
            }
        }
        if (rc != 0 || rows_.empty()) {
            skip_ = "lab-services.sh start failed (rc " + std::to_string(rc) + "): " +
                    test::read_file(dir_->path() / "lab.log");
            return;
        }
        std::string down;
        for (const auto& [name, row] : rows_) {
            if (row.state != "up") {
                down += " " + name;
            }
        }
        if (!down.empty()) {
            skip_ = "lab services did not start:" + down + " (" + test::read_file(dir_->path() / "lab.log") + ")";
            return;
        }
        scan_lab();
    }

    static void TearDownTestSuite() {
        if (dir_ != nullptr) {
            std::string out;
            (void)run_lab({"stop", (dir_->path() / "lab").string()}, out, dir_->path() / "stop.log");
            delete dir_;
            dir_ = nullptr;
        }
        delete report_;
        report_ = nullptr;
    }

    // The ports the lab itself lists (`lab-services.sh ports`), scanned with everything on.
    static void scan_lab() {
        std::string plan;
        run_lab({"ports"}, plan, dir_->path() / "ports.log");
        std::vector<std::uint16_t> ports;
        std::stringstream ps(plan);
        for (std::string line; std::getline(ps, line);) {
            if (line.rfind("127.0.0.1:", 0) == 0) {
                ports.push_back(static_cast<std::uint16_t>(std::stoi(line.substr(10))));
            }
        }
        ports.push_back(1);  // and a port nothing listens on
        static ProbeSet probes = *ProbeSet::load(test::source_dir() / "data/scan/probes.yaml");
        static VulnDb db;
        if (auto vdir = test::corpus_dir() / "vulndb"; !test::corpus_dir().empty() && std::filesystem::exists(vdir)) {
            (void)db.import_dir(vdir);
        }
        ScanOptions o;
        o.tcp_ports = ports;
        o.check.ca_file = (dir_->path() / "lab" / "tls" / "lab-ca.crt").string();
        Scanner scanner(probes, db.size() > 0 ? &db : nullptr);
        std::vector<ResolvedTarget> targets = {{"127.0.0.1", "", {*core::IpAddress::parse("127.0.0.1")}}};
        auto r = scanner.run(targets, o);
        if (!r) {
            skip_ = "scan failed: " + r.error().to_string();
            return;
        }
        report_ = new ScanReport(std::move(*r));
        have_db_ = db.size() > 0;
        std::ofstream(dir_->path() / "report.txt") << report_text(*report_);
    }

    void SetUp() override {
        if (!skip_.empty()) {
            GTEST_SKIP() << skip_;
        }
    }

    const ServiceInfo* service(const char* lab_name) {
        std::uint16_t port = rows_.at(lab_name).port;
        for (const ServiceReport& s : report_->services) {
            if (s.info.port == port) {
                return &s.info;
            }
        }
        return nullptr;
    }
    std::vector<std::string> checks(const char* lab_name) {
        std::vector<std::string> out;
        for (const Finding& f : report_->findings) {
            if (f.port == rows_.at(lab_name).port) {
                out.push_back(f.check + (f.cve.empty() ? "" : ":" + f.cve));
            }
        }
        return out;
    }
    void expect_checks(const char* lab_name, std::initializer_list<const char*> want) {
        auto have = checks(lab_name);
        for (const char* w : want) {
            EXPECT_NE(std::find(have.begin(), have.end(), w), have.end())
                << lab_name << " lacks " << w << "; report in " << dir_->path() / "report.txt";
        }
    }
    void expect_no_checks(const char* lab_name, std::initializer_list<const char*> unwanted) {
        auto have = checks(lab_name);
        for (const char* u : unwanted) {
            EXPECT_EQ(std::find(have.begin(), have.end(), u), have.end()) << lab_name << " has " << u;
        }
    }
    void expect_service(const char* lab_name, const char* name, const char* product, bool version_shown) {
        const ServiceInfo* s = service(lab_name);
        ASSERT_NE(s, nullptr) << lab_name << " not found open";
        EXPECT_EQ(s->id.service, name) << lab_name;
        EXPECT_EQ(s->id.product, product) << lab_name;
        if (version_shown) {
            EXPECT_EQ(s->id.version, debian_parts(rows_.at(lab_name).version).first) << lab_name;
        }
    }

    static inline test::TempDir* dir_ = nullptr;
    static inline std::string skip_;
    static inline std::map<std::string, LabRow> rows_;
    static inline ScanReport* report_ = nullptr;
    static inline bool have_db_ = false;
};

TEST_F(Lab, EveryLabPortIsFoundOpen) {
    for (const auto& [name, row] : rows_) {
        bool found = std::any_of(report_->open_tcp.begin(), report_->open_tcp.end(),
                                 [&](const OpenPort& p) { return p.port == row.port; });
        EXPECT_TRUE(found) << name << " port " << row.port;
    }
    EXPECT_FALSE(std::any_of(report_->open_tcp.begin(), report_->open_tcp.end(),
                             [](const OpenPort& p) { return p.port == 1; }));
}

TEST_F(Lab, SshOpenSshWithDebianRevision) {
    expect_service("ssh", "ssh", "OpenSSH", true);
    EXPECT_EQ(service("ssh")->id.distro.revision, debian_parts(rows_.at("ssh").version).second);
    if (have_db_) {
        auto it = std::find_if(report_->findings.begin(), report_->findings.end(),
                               [](const Finding& f) { return f.cve == "CVE-2024-6387"; });
        ASSERT_NE(it, report_->findings.end());
        EXPECT_EQ(it->confidence, "low");  // Debian backports: stated, not hidden
        EXPECT_NE(it->evidence.find("backports"), std::string::npos);
    }
}

TEST_F(Lab, FtpVsftpdAnonymous) {
    expect_service("ftp", "ftp", "vsftpd", true);
    expect_checks("ftp", {"exposure.ftp_anonymous", "exposure.ftp_cleartext"});
}

TEST_F(Lab, SmtpPostfixStarttlsWithLegacyAndAnonymousSuites) {
    expect_service("smtp", "smtp", "Postfix", false);
    expect_checks("smtp", {"tls.protocols", "tls.cipher.anonymous"});
    expect_no_checks("smtp", {"tls.starttls_missing"});
}

TEST_F(Lab, PlainHttpListingGitBackupsDisclosure) {
    expect_service("http", "http", "nginx", true);
    expect_checks("http", {"http.directory_listing", "http.git_exposed", "http.backup_exposed",
                           "http.version_disclosure", "http.security_headers"});
    if (have_db_) {
        expect_checks("http", {"cve:CVE-2024-7347", "cve:CVE-2025-23419"});
        expect_no_checks("http", {"cve:CVE-2022-41741", "cve:CVE-2021-23017", "cve:CVE-2013-2028"});
    }
}

TEST_F(Lab, WeakHttpsEveryMistake) {
    expect_service("https-weak", "http", "nginx", true);
    EXPECT_TRUE(service("https-weak")->tls);
    expect_checks("https-weak", {"tls.protocol.tls1_0", "tls.protocol.tls1_1", "tls.cert.expired",
                                 "tls.cert.self_signed", "tls.cert.wrong_name", "tls.cipher.anonymous",
                                 "tls.cipher.no_forward_secrecy", "tls.cipher.cbc_sha1",
                                 "tls.hsts_missing", "http.version_disclosure"});
}

TEST_F(Lab, GoodHttpsHasNoWeakness) {
    expect_service("https-good", "http", "nginx", false);
    EXPECT_TRUE(service("https-good")->tls);
    expect_checks("https-good", {"tls.protocols"});
    expect_no_checks("https-good", {"tls.protocol.tls1_0", "tls.protocol.tls1_1", "tls.cert.expired",
                                    "tls.cert.self_signed", "tls.cert.wrong_name", "tls.cert.short_chain",
                                    "tls.cert.untrusted", "tls.cipher.anonymous", "tls.cipher.cbc_sha1",
                                    "tls.cipher.no_forward_secrecy", "tls.hsts_missing",
                                    "http.security_headers", "http.version_disclosure",
                                    "http.directory_listing"});
}

TEST_F(Lab, RedisAndMemcachedWithoutAuthentication) {
    expect_service("redis", "redis", "Redis", true);
    expect_checks("redis", {"exposure.redis_noauth"});
    expect_service("memcached", "memcached", "memcached", true);
    expect_checks("memcached", {"exposure.memcached_noauth"});
}

TEST_F(Lab, DatabasesIdentified) {
    expect_service("postgresql", "postgresql", "PostgreSQL", false);  // no version before login
    expect_checks("postgresql", {"exposure.database"});
    expect_service("mariadb", "mysql", "MariaDB", true);
    EXPECT_EQ(service("mariadb")->id.distro.revision, debian_parts(rows_.at("mariadb").version).second);
    expect_checks("mariadb", {"exposure.database"});
}

}  // namespace
}  // namespace cyberalarm::scan
