#include "collector/collector_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "collector/status.h"

extern "C" {
#include <librelp.h>
}

namespace cyberalarm::test {

std::filesystem::path collector_binary() { return CA_COLLECTOR_BIN; }

CollectorProcess::CollectorProcess(std::filesystem::path config,
                                   std::filesystem::path status_socket,
                                   std::vector<std::string> prefix)
    : config_(std::move(config)),
      socket_(std::move(status_socket)),
      prefix_(std::move(prefix)),
      stderr_file_(config_.parent_path() / "collector.stderr") {}

CollectorProcess::~CollectorProcess() {
    if (pid_ > 0) {
        kill9();
    }
}

void CollectorProcess::start() {
    std::vector<std::string> args = prefix_;
    args.push_back(collector_binary().string());
    args.push_back("run");
    args.push_back("--config");
    args.push_back(config_.string());
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    int err = ::open(stderr_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    pid_t pid = ::fork();
    if (pid < 0) {
        throw std::runtime_error("fork failed");
    }
    if (pid == 0) {
        if (err >= 0) {
            ::dup2(err, 2);
        }
        // Only what a service manager would pass on: not the test's own sockets.
        ::close_range(3, ~0u, 0);
        ::execvp(argv[0], argv.data());
        ::_exit(127);
    }
    if (err >= 0) {
        ::close(err);
    }
    pid_ = pid;
}

bool CollectorProcess::wait_ready(std::chrono::milliseconds timeout) {
    return wait_status([](const nlohmann::json&) { return true; }, timeout);
}

int CollectorProcess::stop() {
    if (pid_ <= 0) {
        return -1;
    }
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void CollectorProcess::kill9() {
    if (pid_ <= 0) {
        return;
    }
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

std::optional<nlohmann::json> CollectorProcess::status() const {
    auto text = collector::query_status(socket_);
    if (!text) {
        return std::nullopt;
    }
    auto doc = nlohmann::json::parse(*text, nullptr, false);
    if (doc.is_discarded()) {
        return std::nullopt;
    }
    return doc;
}

std::uint16_t CollectorProcess::input_port(std::size_t index) const {
    auto s = status();
    if (!s || index >= (*s)["inputs"].size() || !(*s)["inputs"][index].contains("listen")) {
        return 0;
    }
    std::string listen = (*s)["inputs"][index]["listen"];
    return static_cast<std::uint16_t>(std::stoul(listen.substr(listen.rfind(':') + 1)));
}

bool CollectorProcess::wait_status(const std::function<bool(const nlohmann::json&)>& pred,
                                   std::chrono::milliseconds timeout) const {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pid_ > 0) {
            int st = 0;
            if (::waitpid(pid_, &st, WNOHANG) == pid_) {
                const_cast<CollectorProcess*>(this)->pid_ = -1;
                return false;  // it died
            }
        }
        if (auto s = status(); s && pred(*s)) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

std::string CollectorProcess::stderr_text() const {
    std::ifstream in(stderr_file_);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

TcpSender::TcpSender(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
    }
}

TcpSender::~TcpSender() { close(); }

bool TcpSender::send(std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

std::string TcpSender::receive_all() {
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    std::string out;
    char buf[4096];
    while (out.size() < (1u << 20)) {
        ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
        if (n <= 0) {
            break;
        }
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

void TcpSender::close() {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

RelpSender::RelpSender(std::uint16_t port) {
    relpEngine_t* engine = nullptr;
    relpClt_t* client = nullptr;
    relpEngineConstruct(&engine);
    relpEngineSetDbgprint(engine, nullptr);
    std::string cmd = "syslog";
    relpEngineSetEnableCmd(engine, reinterpret_cast<unsigned char*>(cmd.data()),
                           eRelpCmdState_Required);
    relpEngineCltConstruct(engine, &client);
    relpCltSetTimeout(client, 10);
    std::string port_text = std::to_string(port);
    std::string host = "127.0.0.1";
    connected_ = relpCltConnect(client, AF_INET, reinterpret_cast<unsigned char*>(port_text.data()),
                                reinterpret_cast<unsigned char*>(host.data())) == RELP_RET_OK;
    engine_ = engine;
    client_ = client;
}

RelpSender::~RelpSender() {
    auto* engine = static_cast<relpEngine_t*>(engine_);
    auto* client = static_cast<relpClt_t*>(client_);
    if (client != nullptr) {
        relpEngineCltDestruct(engine, &client);
    }
    relpEngineDestruct(&engine);
}

bool RelpSender::send(std::string message) {
    return relpCltSendSyslog(static_cast<relpClt_t*>(client_),
                             reinterpret_cast<unsigned char*>(message.data()),
                             message.size()) == RELP_RET_OK;
}

std::string numbered_iptables_line(std::uint32_t seq) {
    std::uint32_t ip = (198u << 24) | (18u << 16);
    ip += seq;
    char buf[512];
    std::snprintf(buf, sizeof(buf),
                  "<4>Nov 23 10:00:00 gw kernel: [%u.000000] DROP IN=eth0 OUT= "
                  "SRC=%u.%u.%u.%u DST=10.0.0.5 LEN=60 TOS=0x00 PREC=0x00 TTL=50 ID=%u DF "
                  "PROTO=TCP SPT=%u DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0",
                  seq, ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff, seq & 0xffff,
                  1024 + seq % 60000);
    return buf;
}

std::optional<std::uint32_t> seq_of(const std::string& source_ip) {
    in_addr a{};
    if (::inet_pton(AF_INET, source_ip.c_str(), &a) != 1) {
        return std::nullopt;
    }
    std::uint32_t ip = ntohl(a.s_addr);
    std::uint32_t base = (198u << 24) | (18u << 16);
    if (ip < base || ip - base >= (1u << 17)) {
        return std::nullopt;
    }
    return ip - base;
}

}  // namespace cyberalarm::test
