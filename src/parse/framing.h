// Syslog transport framing (RFC 6587): octet counting ("<len> <frame>") and
// non-transparent framing (frames ended by LF, or NUL as some senders use), detected per
// frame as RFC 6587 section 3.4 allows a receiver to do. Used for TCP and TLS streams and
// for files of framed syslog.
//
// The deframer is incremental: feed it bytes as they arrive, take frames out. Memory is
// bounded by max_frame: a frame longer than that is cut (octet counting: the rest is
// skipped exactly; LF framing: the rest up to the next LF is skipped) and counted, and
// the stream carries on with the next frame. Digits not followed by a space are not an
// octet count, so such a frame is read as LF-framed (a bare PAN-OS CSV line starts with
// digits); a stream that ends inside an octet-counted frame is counted as malformed. One
// bad frame never costs the good frames around it.
//
// Thread safety: one Deframer per connection.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cyberalarm::parse {

struct FramingStats {
    std::uint64_t frames = 0;
    std::uint64_t oversize = 0;   // frames cut at max_frame
    std::uint64_t malformed = 0;  // bad octet counts, resynchronised at LF
};

class Deframer {
public:
    explicit Deframer(std::size_t max_frame = 64 * 1024) : max_frame_(max_frame) {}

    // Appends received bytes.
    void feed(std::string_view bytes) { buf_.append(bytes); }

    // Takes the next complete frame into *frame (valid until the next feed or next call).
    // Returns false when more bytes are needed.
    bool next(std::string_view* frame);

    // At end of stream: returns a final unterminated LF-framed frame, if any.
    bool finish(std::string_view* frame);

    [[nodiscard]] const FramingStats& stats() const { return stats_; }
    // Bytes held waiting for the rest of a frame (bounded by about max_frame).
    [[nodiscard]] std::size_t buffered() const { return buf_.size() - pos_; }

private:
    void compact();

    std::size_t max_frame_;
    std::string buf_;
    std::size_t pos_ = 0;
    std::size_t skip_octets_ = 0;  // octet-counted bytes still to discard
    bool skip_to_lf_ = false;      // discarding the rest of an over-long or bad frame
    FramingStats stats_;
};

}  // namespace cyberalarm::parse
