#include "support/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <stdexcept>
#include <thread>

#include "support/test_support.h"

extern char** environ;

namespace cyberalarm::test {

namespace {

std::atomic<int> g_serial{0};

int exit_code_of(int status) {
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

std::string read_if_present(const std::filesystem::path& path) {
    std::error_code ec;
    return std::filesystem::exists(path, ec) ? read_file(path) : std::string{};
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, const std::filesystem::path& output_dir,
                           const std::string& stdin_text) {
    const int n = g_serial.fetch_add(1);
    const std::string base = std::filesystem::path(argv.at(0)).filename().string();
    out_ = output_dir / (base + "." + std::to_string(n) + ".out");
    err_ = output_dir / (base + "." + std::to_string(n) + ".err");
    const std::filesystem::path in = output_dir / (base + "." + std::to_string(n) + ".in");
    {
        const int fd = ::open(in.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0 || ::write(fd, stdin_text.data(), stdin_text.size()) !=
                          static_cast<ssize_t>(stdin_text.size())) {
            throw std::runtime_error("cannot write the child's stdin file " + in.string());
        }
        ::close(fd);
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, in.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<char*> args;
    for (auto& a : argv) {
        args.push_back(a.data());
    }
    args.push_back(nullptr);
    const int rc = posix_spawn(&pid_, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        pid_ = -1;
        throw std::runtime_error("cannot start " + argv[0]);
    }
}

ChildProcess::~ChildProcess() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
}

std::string ChildProcess::stdout_text() const { return read_if_present(out_); }
std::string ChildProcess::stderr_text() const { return read_if_present(err_); }

bool ChildProcess::wait_for_output(const std::string& marker, std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
        if (stdout_text().find(marker) != std::string::npos) {
            return true;
        }
        int status = 0;
        if (pid_ <= 0 || ::waitpid(pid_, &status, WNOHANG) == pid_) {
            if (pid_ > 0) {
                exit_code_ = exit_code_of(status);
                pid_ = -1;
            }
            return stdout_text().find(marker) != std::string::npos;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

int ChildProcess::terminate() {
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
    }
    return wait();
}

int ChildProcess::wait(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) {
        return exit_code_;
    }
    const auto until = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() >= until) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
    exit_code_ = exit_code_of(status);
    return exit_code_;
}

CommandResult run_command(std::vector<std::string> argv, const std::filesystem::path& output_dir,
                          const std::string& stdin_text, std::chrono::milliseconds timeout) {
    ChildProcess child(std::move(argv), output_dir, stdin_text);
    CommandResult r;
    r.exit_code = child.wait(timeout);
    r.out = child.stdout_text();
    r.err = child.stderr_text();
    return r;
}

}  // namespace cyberalarm::test
