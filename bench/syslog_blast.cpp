// syslog_blast: sends N numbered iptables lines to 127.0.0.1 over TCP (LF framing) or UDP,
// at full speed or at a fixed rate, for the collector benchmarks. Loopback only.
//
//   syslog_blast tcp|udp PORT COUNT [RATE_PER_SECOND]
// Prints "sent N in S s (R lines/s)" on stdout.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

namespace {

std::string line(std::uint32_t seq) {
    std::uint32_t ip = (198u << 24) | (18u << 16);
    ip += seq & 0x1ffff;
    char buf[400];
    int n = std::snprintf(buf, sizeof(buf),
                          "<4>Nov 23 10:00:00 gw kernel: [%u.000000] DROP IN=eth0 OUT= "
                          "SRC=%u.%u.%u.%u DST=10.0.0.5 LEN=60 TOS=0x00 PREC=0x00 TTL=50 ID=%u "
                          "DF PROTO=TCP SPT=%u DPT=%u WINDOW=64240 RES=0x00 SYN URGP=0",
                          seq, ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff,
                          seq & 0xffff, 1024 + seq % 60000, 1 + seq % 1024);
    return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: syslog_blast tcp|udp PORT COUNT [RATE_PER_SECOND]\n");
        return 2;
    }
    bool tcp = std::strcmp(argv[1], "tcp") == 0;
    int port = std::atoi(argv[2]);
    std::uint64_t count = std::strtoull(argv[3], nullptr, 10);
    double rate = argc > 4 ? std::atof(argv[4]) : 0;

    int fd = ::socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        std::perror("connect");
        return 1;
    }
    auto start = std::chrono::steady_clock::now();
    std::string chunk;
    std::uint64_t sent = 0;
    for (std::uint64_t i = 0; i < count; ++i) {
        if (rate > 0) {
            // Paced: sleep until line i is due (in steps of 1 ms worth of lines).
            auto due = start + std::chrono::duration<double>(static_cast<double>(i) / rate);
            if (due > std::chrono::steady_clock::now() + std::chrono::microseconds(500)) {
                std::this_thread::sleep_until(due);
            }
        }
        std::string l = line(static_cast<std::uint32_t>(i));
        if (tcp) {
            chunk += l;
            chunk += '\n';
            if (chunk.size() >= 64 * 1024 || i + 1 == count) {
                std::size_t off = 0;
                while (off < chunk.size()) {
                    ssize_t n = ::send(fd, chunk.data() + off, chunk.size() - off, MSG_NOSIGNAL);
                    if (n <= 0) {
                        std::perror("send");
                        return 1;
                    }
                    off += static_cast<std::size_t>(n);
                }
                chunk.clear();
            }
        } else if (::send(fd, l.data(), l.size(), 0) < 0) {
            continue;  // ECONNREFUSED / ENOBUFS: a lost datagram, as on a real network
        }
        ++sent;
    }
    ::close(fd);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("sent %llu in %.3f s (%.0f lines/s)\n", static_cast<unsigned long long>(sent), s,
                static_cast<double>(sent) / s);
    return 0;
}
