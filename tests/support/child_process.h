// A program run as a child process by a test: spawned with posix_spawn, its stdout and
// stderr written to files (so a chatty child never blocks on a full pipe), optional stdin
// text, and a kill on destruction so a failing test leaves nothing running.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace cyberalarm::test {

class ChildProcess {
public:
    // argv[0] is the program's path. Output goes to files under `output_dir`.
    ChildProcess(std::vector<std::string> argv, const std::filesystem::path& output_dir,
                 const std::string& stdin_text = {});
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    [[nodiscard]] pid_t pid() const { return pid_; }
    [[nodiscard]] std::string stdout_text() const;
    [[nodiscard]] std::string stderr_text() const;
    // Waits until stdout contains `marker`; false if the child exits or `timeout` passes.
    bool wait_for_output(const std::string& marker, std::chrono::milliseconds timeout);
    // SIGTERM, then waits; returns the exit code (128 + signal if killed by one).
    int terminate();
    // Waits for exit (at most `timeout`, then SIGKILL); returns as terminate().
    int wait(std::chrono::milliseconds timeout = std::chrono::seconds(60));

private:
    pid_t pid_ = -1;
    int exit_code_ = -1;  // once reaped
    std::filesystem::path out_;
    std::filesystem::path err_;
};

struct CommandResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// Runs a command to completion (at most `timeout`) and returns what it printed.
CommandResult run_command(std::vector<std::string> argv, const std::filesystem::path& output_dir,
                          const std::string& stdin_text = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace cyberalarm::test
