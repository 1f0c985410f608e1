#include "parse/framing.h"

#include <algorithm>

namespace cyberalarm::parse {

namespace {

constexpr std::size_t kMaxCountDigits = 9;  // octet counts up to 999,999,999

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

}  // namespace

void Deframer::compact() {
    if (pos_ > 0 && (pos_ >= buf_.size() / 2 || pos_ > (1u << 16))) {
        buf_.erase(0, pos_);
        pos_ = 0;
    }
}

bool Deframer::next(std::string_view* frame) {
    compact();
    while (pos_ < buf_.size()) {
        std::string_view rest(buf_.data() + pos_, buf_.size() - pos_);
        if (skip_octets_ > 0) {
            std::size_t n = std::min(skip_octets_, rest.size());
            pos_ += n;
            skip_octets_ -= n;
            continue;
        }
        if (skip_to_lf_) {
            auto lf = rest.find('\n');
            if (lf == std::string_view::npos) {
                pos_ = buf_.size();
                return false;
            }
            pos_ += lf + 1;
            skip_to_lf_ = false;
            continue;
        }
        // Skip stray separators between frames.
        if (rest[0] == '\n' || rest[0] == '\r' || rest[0] == '\0') {
            ++pos_;
            continue;
        }
        if (is_digit(rest[0])) {
            // Octet counting: MSG-LEN SP SYSLOG-MSG, MSG-LEN without leading zeros.
            std::size_t i = 0;
            std::size_t len = 0;
            while (i < rest.size() && is_digit(rest[i]) && i < kMaxCountDigits) {
                len = len * 10 + static_cast<std::size_t>(rest[i] - '0');
                ++i;
            }
            if (i == rest.size()) {
                return false;  // need more digits
            }
            if (rest[i] == ' ' && rest[0] != '0') {
                std::size_t body = i + 1;
                if (len > max_frame_) {
                    ++stats_.oversize;
                    ++stats_.frames;
                    // Hand out the first max_frame bytes once they are here, skip the rest.
                    if (rest.size() - body < max_frame_) {
                        return false;
                    }
                    *frame = rest.substr(body, max_frame_);
                    pos_ += body + max_frame_;
                    skip_octets_ = len - max_frame_;
                    return true;
                }
                if (rest.size() - body < len) {
                    return false;
                }
                *frame = rest.substr(body, len);
                pos_ += body + len;
                ++stats_.frames;
                return true;
            }
            // Digits not followed by a space: not an octet count. A frame starting with
            // digits is legal in LF framing (e.g. a bare PAN-OS CSV line), so fall through.
        }
        auto end = rest.find_first_of(std::string_view("\n\0", 2));
        if (end == std::string_view::npos) {
            if (rest.size() > max_frame_) {
                ++stats_.oversize;
                ++stats_.frames;
                *frame = rest.substr(0, max_frame_);
                pos_ = buf_.size();
                skip_to_lf_ = true;
                return true;
            }
            return false;
        }
        std::string_view f = rest.substr(0, end);
        pos_ += end + 1;
        if (!f.empty() && f.back() == '\r') {
            f.remove_suffix(1);
        }
        if (f.size() > max_frame_) {
            ++stats_.oversize;
            f = f.substr(0, max_frame_);
        }
        ++stats_.frames;
        *frame = f;
        return true;
    }
    return false;
}

bool Deframer::finish(std::string_view* frame) {
    if (next(frame)) {
        return true;
    }
    if (skip_octets_ > 0 || skip_to_lf_ || pos_ >= buf_.size()) {
        if (skip_octets_ > 0) {
            ++stats_.malformed;  // the stream ended inside an octet-counted frame
            skip_octets_ = 0;
        }
        return false;
    }
    std::string_view rest(buf_.data() + pos_, buf_.size() - pos_);
    pos_ = buf_.size();
    if (is_digit(rest[0]) && rest.find(' ') != std::string_view::npos) {
        // An octet-counted frame cut short by the end of the stream.
        ++stats_.malformed;
        return false;
    }
    ++stats_.frames;
    *frame = rest.substr(0, std::min(rest.size(), max_frame_));
    return true;
}

}  // namespace cyberalarm::parse
