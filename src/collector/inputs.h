// Inputs: where the collector's log lines come from, and the seam the pipeline reads them
// through.
//
// An Input receives raw log lines from one source — syslog over UDP, TCP (RFC 6587) or TLS
// (RFC 5425), RELP (librelp), a tailed file or stdin — and hands each one to a LineSink. It
// never parses, logs or keeps a line: parsing belongs to the pipeline (the sink), and nothing
// received is ever passed to a shell or used as a format string.
//
// Inputs are built to be boring to attack (the collector sits in a DMZ): every network input
// has a cap on concurrent connections, an idle timeout and a bound on frame size, so memory
// is bounded per connection and in total; a malformed or over-long frame is counted and
// skipped while the connection and its good frames survive. docs/design/collector-inputs.md
// describes each input, its guarantees and its limits.
//
// Life cycle: make_input() → bind() (still privileged: ports below 1024, root-only files) →
// start(sink, index) → … → stop(). stop() is prompt, except that it waits for a LineSink
// call in progress to return.
//
// Backpressure: LineSink::on_line() returns only once the line is durably accepted. An input
// does not read further while it blocks, so TCP flow control pushes back on senders, RELP
// acknowledges a message only after on_line() returned for it, and a file position is saved
// only after the lines before it were accepted.
//
// Thread safety: an Input's methods are called from one controlling thread; stats() may be
// called from any thread at any time. LineSink::on_line() is called from the inputs' own
// threads, several at once.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "core/ip.h"
#include "core/result.h"

namespace cyberalarm::collector {

// Receives frames/lines from inputs. Called from input threads (several at once: make no
// assumption). A line is durably accepted (parsed and appended to the spool) once flush()
// for its input has returned: that is the backpressure and the RELP and file-position
// guarantee. A sink may accept lines earlier (in on_line) or batch them until flush();
// inputs call flush() after each chunk they read and before they acknowledge a message or
// save a position, so a batch never waits for more input. `line` is only valid during the
// call. `peer` is the sender's address for network inputs and unset (is_set() == false) for
// files and stdin.
class LineSink {
public:
    virtual ~LineSink() = default;
    virtual void on_line(std::size_t input_index, std::string_view line,
                         const core::IpAddress& peer) = 0;
    // Makes every line given to on_line() for this input so far durably accepted.
    virtual void flush(std::size_t /*input_index*/) {}
};

enum class InputKind : std::uint8_t { kUdp, kTcp, kTls, kRelp, kFile, kStdin };

// "udp", "tcp", "tls", "relp", "file", "stdin".
std::string_view to_string(InputKind kind);

// One input's settings. Defaults are what a collector uses when the configuration is silent.
struct InputConfig {
    std::string name;  // for status and errors; also names the file input's state file
    InputKind kind = InputKind::kUdp;

    // --- network inputs (udp, tcp, tls, relp) ---
    std::string address = "127.0.0.1";  // IPv4 or IPv6 address to listen on
    std::uint16_t port = 0;             // 0 = an ephemeral port (tests); see bound_port()
    // Longest frame handed on; a longer one is cut here and counted as oversize. Bounds the
    // memory a connection can hold (about twice this plus a 16 KiB read buffer).
    std::size_t max_frame = std::size_t{64} * 1024;
    // Concurrent connections per input (tcp, tls, relp); one more is accepted and closed at
    // once, and counted. With max_frame this bounds the input's total memory.
    std::size_t max_connections = 256;
    // A connection that sends nothing for this long is closed. Longer keeps quiet senders
    // connected (plain-TCP senders may lose a message when they find the connection gone);
    // shorter frees slots held by idle or hostile peers sooner.
    std::chrono::milliseconds idle_timeout{std::chrono::minutes(10)};
    // A TLS handshake must finish within this time.
    std::chrono::milliseconds handshake_timeout{std::chrono::seconds(10)};
    // SO_RCVBUF asked for a UDP socket: bursts the collector cannot absorb at once wait here
    // instead of being dropped by the kernel (which caps it at net.core.rmem_max).
    std::size_t udp_receive_buffer = 8u << 20;

    // --- TLS (tls; relp over TLS when tls_cert is set) ---
    std::filesystem::path tls_cert;  // PEM certificate chain of this collector
    std::filesystem::path tls_key;   // PEM private key
    std::filesystem::path tls_ca;    // PEM CA bundle that client certificates must chain to
    // Refuse clients without a certificate from tls_ca. Without it, a client certificate is
    // optional, but one that is presented must still verify against tls_ca.
    bool tls_require_client_cert = false;

    // --- file ---
    std::filesystem::path path;
    // Where the file input keeps its position (<state_dir>/inputs/<name>.tail). Empty: the
    // position is not kept, and every start is a first start.
    std::filesystem::path state_dir;
    // On a first start (no saved position), begin at the end of a file that already exists
    // instead of at its start. A file that appears later is always read from its start.
    bool from_end = false;
    // How often the file is checked for new lines, rotation and truncation.
    std::chrono::milliseconds poll_interval{200};
    // After a rotation by rename, how long the old file is still read for lines its writer
    // adds before it reopens the new file.
    std::chrono::milliseconds rotation_grace{std::chrono::seconds(5)};
    // The position is saved at most this often while lines flow, and always at stop().
    // A crash re-reads at most this much (at-least-once, never loss).
    std::chrono::milliseconds state_interval{std::chrono::seconds(1)};
};

// A copy of an input's counters.
struct InputStatsSnapshot {
    std::uint64_t frames = 0;       // lines handed to the sink
    std::uint64_t bytes = 0;        // bytes of those lines
    std::uint64_t oversize = 0;     // frames cut at max_frame
    std::uint64_t malformed = 0;    // frames that could not be delimited (bad octet count at close)
    std::uint64_t connections = 0;  // accepted connections, in total
    std::uint64_t active_connections = 0;    // open now
    std::uint64_t rejected_connections = 0;  // refused: over max_connections
    std::uint64_t idle_timeouts = 0;         // closed for sending nothing
    std::uint64_t tls_failures = 0;          // TLS handshakes that failed or timed out
    std::uint64_t errors = 0;                // I/O and setup errors (see last_error)
    std::uint64_t udp_datagrams = 0;
    std::uint64_t udp_drops = 0;    // datagrams the kernel dropped (socket buffer full)
    std::uint64_t truncations = 0;  // file truncated in place (copytruncate)
    std::uint64_t rotations = 0;    // file replaced (rotation by rename, or deleted and recreated)
    std::string last_error;         // for an administrator; never holds received content
};

// Live counters of one input, updated by its threads.
class InputStats {
public:
    std::atomic<std::uint64_t> frames{0};
    std::atomic<std::uint64_t> bytes{0};
    std::atomic<std::uint64_t> oversize{0};
    std::atomic<std::uint64_t> malformed{0};
    std::atomic<std::uint64_t> connections{0};
    std::atomic<std::uint64_t> active_connections{0};
    std::atomic<std::uint64_t> rejected_connections{0};
    std::atomic<std::uint64_t> idle_timeouts{0};
    std::atomic<std::uint64_t> tls_failures{0};
    std::atomic<std::uint64_t> errors{0};
    std::atomic<std::uint64_t> udp_datagrams{0};
    std::atomic<std::uint64_t> udp_drops{0};
    std::atomic<std::uint64_t> truncations{0};
    std::atomic<std::uint64_t> rotations{0};

    // Counts an error and remembers its message as last_error.
    void record_error(std::string message);
    // Remembers a message without counting an error (e.g. a TLS handshake failure).
    void note(std::string message);
    [[nodiscard]] InputStatsSnapshot snapshot() const;

private:
    mutable std::mutex mu_;
    std::string last_error_;
};

// One source of lines. Packet and NetFlow inputs (src/flow) implement this too.
class Input {
public:
    explicit Input(InputConfig config) : config_(std::move(config)) {}
    virtual ~Input() = default;
    Input(const Input&) = delete;
    Input& operator=(const Input&) = delete;

    // Opens sockets and files. Called while still privileged (ports below 1024).
    [[nodiscard]] virtual core::Result<void> bind() = 0;
    // The actual port after bind() (port 0 asks for an ephemeral one); 0 for non-network
    // inputs.
    [[nodiscard]] virtual std::uint16_t bound_port() const { return 0; }
    // Starts receiving on the input's own thread(s); lines go to sink.on_line(index, …).
    // REQUIRES: bind() succeeded; sink outlives stop().
    [[nodiscard]] virtual core::Result<void> start(LineSink& sink, std::size_t index) = 0;
    // Stops receiving and joins the input's threads; a file input saves its position.
    // Idempotent; also called by the destructor of every implementation.
    virtual void stop() = 0;
    [[nodiscard]] virtual InputStatsSnapshot stats() const = 0;
    // True once a finite input (stdin) has delivered all it ever will.
    [[nodiscard]] virtual bool finished() const { return false; }

    [[nodiscard]] const InputConfig& config() const { return config_; }

protected:
    InputConfig config_;
};

// Checks the configuration and builds the input for config.kind. Nothing is opened yet.
[[nodiscard]] core::Result<std::unique_ptr<Input>> make_input(const InputConfig& config);

}  // namespace cyberalarm::collector
