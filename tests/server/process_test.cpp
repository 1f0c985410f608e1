// cyberalarm-server as a process: the embedded default on first start (data directory 0700,
// CA key 0600, store.db, an operator token printed once that the API accepts), a second
// start that prints no token, ports.json, SIGTERM ending cleanly, and config errors that
// name the key and line.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>

#include "server/server_support.h"
#include "uplink/pki.h"

extern char** environ;

namespace cyberalarm::test {
namespace {

using namespace std::chrono_literals;

struct ServerRun {
    int exit_code = -1;
    std::string out;  // stdout until the ports line
    std::uint16_t ingest = 0;
    std::uint16_t api = 0;
};

class Process {
public:
    explicit Process(std::vector<std::string> args) {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) {
            throw std::runtime_error("pipe");
        }
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
        std::vector<char*> argv;
        args.insert(args.begin(), CA_SERVER_BINARY);
        for (auto& a : args) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        if (posix_spawn(&pid_, CA_SERVER_BINARY, &fa, nullptr, argv.data(), environ) != 0) {
            throw std::runtime_error("spawn");
        }
        posix_spawn_file_actions_destroy(&fa);
        ::close(fds[1]);
        out_ = fds[0];
    }
    ~Process() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        ::close(out_);
    }
    // Reads stdout until a line containing `marker`, or EOF.
    std::string read_until(const std::string& marker) {
        std::string text;
        char buf[512];
        while (text.find(marker) == std::string::npos) {
            const ssize_t n = ::read(out_, buf, sizeof buf);
            if (n <= 0) {
                break;
            }
            text.append(buf, static_cast<std::size_t>(n));
        }
        return text;
    }
    int terminate() {
        ::kill(pid_, SIGTERM);
        return wait();
    }
    int wait() {
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }

private:
    pid_t pid_ = -1;
    int out_ = -1;
};

ServerRun start_and_stop(const std::filesystem::path& config, const std::filesystem::path& data,
                   const std::function<void(const ServerRun&)>& while_up = {}) {
    Process p({"--config", config.string(), "--data-dir", data.string()});
    ServerRun run;
    run.out = p.read_until("api_port=");
    std::smatch m;
    if (std::regex_search(run.out, m, std::regex("ingest_port=(\\d+) api_port=(\\d+)"))) {
        run.ingest = static_cast<std::uint16_t>(std::stoi(m[1]));
        run.api = static_cast<std::uint16_t>(std::stoi(m[2]));
        if (while_up) {
            while_up(run);
        }
    }
    run.exit_code = p.terminate();
    return run;
}

mode_t mode_of(const std::filesystem::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
}

TEST(ServerProcessTest, FirstStartPrintsTokenOnceAndKeepsSecretsPrivate) {
    TempDir dir;
    const auto config = dir.path() / "server.yaml";
    std::ofstream(config) << "ingest:\n  port: 0\napi:\n  port: 0\n";
    const auto data = dir.path() / "data";
    std::string token;
    auto first = start_and_stop(config, data, [&](const ServerRun& run) {
        std::smatch m;
        ASSERT_TRUE(std::regex_search(run.out, m, std::regex("keep it safe\\): ([0-9a-f]{64})")))
            << run.out;
        token = m[1];
        const auto ca = data / "ca" / "ca.pem";
        auto me = https_request(run.api, ca, std::nullopt, "GET", "/api/v1/me", "application/json",
                                "", {{"Authorization", "Bearer " + token}});
        EXPECT_EQ(me.status, 200u) << me.body;
        EXPECT_NE(me.body.find("operator"), std::string::npos);
        auto wrong = https_request(run.api, ca, std::nullopt, "GET", "/api/v1/me",
                                   "application/json", "",
                                   {{"Authorization", "Bearer " + std::string(64, 'a')}});
        EXPECT_EQ(wrong.status, 401u);
        // The server's counters are part of the API's Prometheus text.
        auto metrics = https_request(run.api, ca, std::nullopt, "GET", "/metrics", "text/plain",
                                     "", {{"Authorization", "Bearer " + token}});
        EXPECT_EQ(metrics.status, 200u) << metrics.body;
        EXPECT_NE(metrics.body.find("cyberalarm_batches_refused_total{reason=\"revoked\"} 0"),
                  std::string::npos)
            << metrics.body;
        EXPECT_NE(metrics.body.find("cyberalarm_ingest_latency_seconds_bucket"), std::string::npos);
        auto ports = test::read_file(data / "ports.json");
        EXPECT_NE(ports.find("\"ingest\": " + std::to_string(run.ingest)), std::string::npos);
        EXPECT_NE(ports.find("\"api\": " + std::to_string(run.api)), std::string::npos);
    });
    EXPECT_EQ(first.exit_code, 0);
    EXPECT_FALSE(token.empty());
    EXPECT_EQ(mode_of(data), 0700u);
    EXPECT_EQ(mode_of(data / "ca"), 0700u);
    EXPECT_EQ(mode_of(data / "ca" / "ca.key"), 0600u);
    EXPECT_EQ(mode_of(data / "store.db"), 0600u);
    // The token is stored only as its digest.
    EXPECT_EQ(test::read_file(data / "store.db").find(token), std::string::npos);

    const auto ca_before = test::read_file(data / "ca" / "ca.pem");
    auto second = start_and_stop(config, data);
    EXPECT_EQ(second.exit_code, 0);
    EXPECT_NE(second.out.find("ingest_port="), std::string::npos);
    EXPECT_EQ(second.out.find("token"), std::string::npos) << second.out;
    EXPECT_EQ(test::read_file(data / "ca" / "ca.pem"), ca_before);  // the same CA
}

TEST(ServerProcessTest, RefusesADataDirOthersCanEnter) {
    TempDir dir;
    const auto data = dir.path() / "open";
    std::filesystem::create_directory(data);
    ::chmod(data.c_str(), 0755);
    Process p({"--data-dir", data.string()});
    EXPECT_EQ(p.wait(), 1);
}

}  // namespace
}  // namespace cyberalarm::test
