#include "scan/internal/starttls.h"

namespace cyberalarm::scan::internal {

using core::Error;
using core::ErrorCode;
using core::fail;

namespace {

// A multi-line reply is complete when its last line is final: "250 …" (SMTP), "a1 …"
// (IMAP tagged), "+OK"/"-ERR" (POP3), "234 …"/"211 End" (FTP).
bool reply_complete(const std::string& s, TlsEntry entry, const std::string& tag) {
    if (s.size() < 2 || s.compare(s.size() - 2, 2, "\r\n") != 0) {
        return false;
    }
    std::size_t start = s.rfind("\r\n", s.size() - 3);
    std::string last = s.substr(start == std::string::npos ? 0 : start + 2);
    switch (entry) {
        case TlsEntry::kSmtp:
        case TlsEntry::kFtp:
            return last.size() >= 4 && last[3] == ' ';
        case TlsEntry::kImap:
            return tag.empty() ? last.rfind("* ", 0) == 0 : last.rfind(tag + " ", 0) == 0;
        case TlsEntry::kPop3:
            return last.rfind("+OK", 0) == 0 || last.rfind("-ERR", 0) == 0 || last == ".\r\n";
        case TlsEntry::kDirect:
            return true;
    }
    return true;
}

std::string talk(Channel& ch, const std::string& line, TlsEntry entry, const std::string& tag,
                 Millis timeout) {
    AnswerLimits limits{timeout, timeout, 16384};
    return exchange(ch, line, limits, [&](const std::string& a) {
        return reply_complete(a, entry, tag);
    });
}

struct Dialogue {
    const char* capability;  // command asking for capabilities
    const char* marker;      // what the capabilities must contain
    const char* upgrade;     // the upgrade command
    const char* accepted;    // prefix of the positive answer
    const char* tag;         // IMAP tag, else ""
};

Dialogue dialogue(TlsEntry entry, const std::string& ehlo) {
    static thread_local std::string ehlo_line;
    ehlo_line = "EHLO " + ehlo + "\r\n";
    switch (entry) {
        case TlsEntry::kSmtp:
            return {ehlo_line.c_str(), "STARTTLS", "STARTTLS\r\n", "220", ""};
        case TlsEntry::kImap:
            return {"a1 CAPABILITY\r\n", "STARTTLS", "a2 STARTTLS\r\n", "a2 OK", "a1"};
        case TlsEntry::kPop3:
            return {"CAPA\r\n", "STLS", "STLS\r\n", "+OK", ""};
        case TlsEntry::kFtp:
            return {"FEAT\r\n", "AUTH TLS", "AUTH TLS\r\n", "234", ""};
        case TlsEntry::kDirect:
            break;
    }
    return {"", "", "", "", ""};
}

// Greeting and capability exchange on a fresh connection.
core::Result<std::unique_ptr<Channel>> open_and_ask(TlsEntry entry, const core::IpAddress& ip,
                                                    std::uint16_t port, const Dialogue& d,
                                                    Millis timeout, std::string& caps) {
    auto ch = open_plain(ip, port, timeout);
    if (!ch) {
        return ch;
    }
    std::string greeting = talk(**ch, "", entry, "", timeout);
    if (greeting.empty()) {
        return fail(Error(ErrorCode::kUnavailable, "no greeting"));
    }
    caps = talk(**ch, d.capability, entry, d.tag, timeout);
    return ch;
}

}  // namespace

core::Result<bool> upgrade_offered(TlsEntry entry, const core::IpAddress& ip, std::uint16_t port,
                                   const std::string& ehlo_name, Millis timeout,
                                   std::string& evidence) {
    Dialogue d = dialogue(entry, ehlo_name);
    auto ch = open_and_ask(entry, ip, port, d, timeout, evidence);
    if (!ch) {
        return fail(ch.error());
    }
    return evidence.find(d.marker) != std::string::npos;
}

core::Result<std::unique_ptr<Channel>> open_tls_via(TlsEntry entry, const core::IpAddress& ip,
                                                    std::uint16_t port, const TlsOffer& offer,
                                                    const std::string& ehlo_name, Millis timeout) {
    if (entry == TlsEntry::kDirect) {
        return open_tls(ip, port, offer, timeout);
    }
    Dialogue d = dialogue(entry, ehlo_name);
    std::string caps;
    auto ch = open_and_ask(entry, ip, port, d, timeout, caps);
    if (!ch) {
        return ch;
    }
    std::string answer = talk(**ch, d.upgrade, entry, "a2", timeout);
    if (answer.rfind(d.accepted, 0) != 0) {
        return fail(Error(ErrorCode::kUnsupported, "upgrade refused: " + answer.substr(0, 80)));
    }
    return upgrade_tls((*ch)->take_fd(), offer, timeout);
}

}  // namespace cyberalarm::scan::internal
