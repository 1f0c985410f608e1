#include "core/result.h"

namespace cyberalarm::core {

std::string_view to_string(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalidArgument:
            return "invalid argument";
        case ErrorCode::kParse:
            return "parse error";
        case ErrorCode::kUnsupported:
            return "unsupported";
        case ErrorCode::kOutOfRange:
            return "out of range";
        case ErrorCode::kNotFound:
            return "not found";
        case ErrorCode::kAlreadyExists:
            return "already exists";
        case ErrorCode::kIo:
            return "i/o error";
        case ErrorCode::kCorrupt:
            return "corrupt data";
        case ErrorCode::kResourceExhausted:
            return "limit reached";
        case ErrorCode::kPermissionDenied:
            return "permission denied";
        case ErrorCode::kUnauthenticated:
            return "unauthenticated";
        case ErrorCode::kUnavailable:
            return "unavailable";
        case ErrorCode::kInternal:
            return "internal error";
    }
    return "error";
}

std::string Error::to_string() const {
    std::string out(core::to_string(code_));
    bool first = true;
    auto sep = [&] {
        out += first ? " at " : ", ";
        first = false;
    };
    if (line_ != 0) {
        sep();
        out += "line " + std::to_string(line_);
    }
    if (offset_ != kNoOffset) {
        sep();
        out += "byte " + std::to_string(offset_);
    }
    if (!field_.empty()) {
        sep();
        out += "field '" + field_ + "'";
    }
    out += ": ";
    out += message_;
    return out;
}

}  // namespace cyberalarm::core
