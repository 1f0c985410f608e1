// The collector's two local windows on itself:
//  - a status socket: a Unix-domain stream socket (mode 0600, so only the collector's user
//    and root can connect). The collector reads nothing from it: a client connects and gets
//    one JSON document, then EOF. `cyberalarm-collector status` is that client.
//  - optional Prometheus metrics over HTTP (Boost.Beast), bound to a loopback address only;
//    GET /metrics answers, anything else is 404.
//
// Both serve text made by a render callback on their own thread.
//
// Thread safety: start/stop from one thread; render is called on the server's thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "core/result.h"

namespace cyberalarm::collector {

using Render = std::function<std::string()>;

class StatusServer {
public:
    // Creates and binds the socket (replacing a stale socket file left by a crash).
    static core::Result<std::unique_ptr<StatusServer>> bind(const std::filesystem::path& path);
    ~StatusServer();
    StatusServer(const StatusServer&) = delete;
    StatusServer& operator=(const StatusServer&) = delete;

    void start(Render render);
    void stop();

private:
    StatusServer(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
    void run();

    int fd_;
    std::filesystem::path path_;
    Render render_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

// Connects to a status socket and returns what it says (at most 4 MiB).
core::Result<std::string> query_status(const std::filesystem::path& path);

class MetricsServer {
public:
    // REQUIRES: address is a loopback address (the configuration refuses anything else).
    static core::Result<std::unique_ptr<MetricsServer>> bind(const std::string& address,
                                                             std::uint16_t port);
    ~MetricsServer();
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

    void start(Render render);
    void stop();
    [[nodiscard]] std::uint16_t port() const;

private:
    struct Impl;
    explicit MetricsServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace cyberalarm::collector
