#include "privacy/scrubber.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>

namespace cyberalarm::privacy {
namespace {

// Values real devices put in rule, signature, interface and code fields. None is content.
constexpr const char* kMetadata[] = {
    "ET SCAN Suspicious inbound to mySQL port 3306",
    "ET SCAN Suspicious inbound to MSSQL port 1433",
    "ET SCAN Potential SSH Scan OUTBOUND",
    "ET POLICY Outgoing Basic Auth Base64 HTTP Password detected unencrypted",
    "ET WEB_SERVER /etc/passwd Detected in URI",
    "SERVER-WEBAPP /cgi-bin/test-cgi access",
    "GPL ATTACK_RESPONSE id check returned root",
    "ET EXPLOIT Apache log4j RCE Attempt (udp ldap) (CVE-2021-44228)",
    "ET EXPLOIT Possible Apache log4j RCE Attempt - ${jndi:ldap://",
    "ET WEB_SPECIFIC_APPS Joomla com_jce index.php?option=com_jce Arbitrary File Upload",
    "ET USER_AGENTS Suspicious User-Agent (Mozilla/4.0)",
    "ETPRO TROJAN Win32/Emotet CnC Activity (POST) M12",
    "ET INFO Observed DNS Query to .onion proxy Domain (onion. to)",
    "ET INFO HTTP Request to a *.top domain",
    "GPL FTP PASS overflow attempt",
    "PROTOCOL-POP PASS format string attempt",
    "Login failure: bad password",
    "User account locked",
    "Deny inbound TCP from 203.0.113.9/51234 to 10.0.0.5/22 flags SYN on interface outside",
    "Access-group \"outside_access_in\" [0x0, 0x0]",
    "W32/Netsky.p@MM",
    "Trojan:Win32/Wacatac.B!ml",
    "Win.Trojan.Agent-1234567-0",
    "HTML/Phishing.Agent.AKQ",
    "EICAR-Test-File (not a virus)",
    "SuspiciousPowerShellDownloadCradleWin32Variant2024",
    "Windows/System32/WindowsPowerShell/v1.0/powershell.exe",
    "5f4dcc3b5aa765d61d8327deb882cf995f4dcc3b5aa765d61d8327deb882cf99",
    "5F4DCC3B5AA765D61D8327DEB882CF995F4DCC3B5AA765D61D8327DEB882CF99",
    "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    "hash:0123456789abcdef0123456789abcdef",
    "http://example.com/",
    "https://example.com",
    "106023",
    "RT_FLOW_SESSION_DENY",
    "%ASA-4-106023",
    "GigabitEthernet0/1",
    "port1",
    "ssh",
    "Règle d'accès entrante",
    "防火墙规则 22",
    "tab\tseparated",
};

TEST(Scrubber, LeavesRealSignatureNamesAndIdsAlone) {
    for (const char* v : kMetadata) {
        EXPECT_EQ(classify(v), ScrubReason::kNone) << v << " -> " << to_string(classify(v));
    }
}

TEST(Scrubber, FindsEmailAddresses) {
    for (const char* v : {"mail from alice@example.org rejected",
                          "bob.smith+tag@mail.example.co.uk", "<carol@example.net>", "x@y.info"}) {
        EXPECT_EQ(classify(v), ScrubReason::kEmail) << v;
    }
    // No dot and alphabetic top-level domain after the @: not an address.
    for (const char* v : {"W32/Mydoom@MM", "root@localhost", "a @ b.com", "x@1.2"}) {
        EXPECT_NE(classify(v), ScrubReason::kEmail) << v;
    }
}

TEST(Scrubber, FindsUrlsWithPathOrQuery) {
    for (const char* v :
         {"GET http://example.com/login.php", "https://intranet.example/portal",
          "http://example.com?q=holiday+photos", "ftp://files.example.com/pub/a.pdf",
          "see https://example.com/#fragment", "/cgi-bin/login.cgi?name=alice",
          "request /search?q=medical+records&page=2"}) {
        EXPECT_EQ(classify(v), ScrubReason::kUrl) << v;
    }
}

TEST(Scrubber, FindsCredentials) {
    for (const char* v : {"password=hunter2", "login attempt user=alice", "Passwd: hunter2",
                          "api_key=ABCD1234", "token: abc", "Authorization: Basic dXNlcjpwYXNz",
                          "pass = secret", "http://alice:s3cret@example.com/",
                          "ftp://bob@ftp.example.com", "form login_pass=x", "Cookie: session=42"}) {
        EXPECT_EQ(classify(v), ScrubReason::kCredential) << v;
    }
    // A key without a value, inside a word, or a user-ish key with a colon is not one.
    for (const char* v :
         {"password=", "password= ", "bypass=1", "user: admin", "passport=A1", "token missing"}) {
        EXPECT_EQ(classify(v), ScrubReason::kNone) << v;
    }
}

TEST(Scrubber, FindsBinaryPayload) {
    EXPECT_EQ(classify(std::string("abc\x01\x02\x03\x04", 7)), ScrubReason::kBinary);
    EXPECT_EQ(classify("GET \xff\xfe\xfd\xfc"), ScrubReason::kBinary);
    EXPECT_EQ(classify(std::string("\0\0\0\0", 4)), ScrubReason::kBinary);
    // Scattered control bytes add up.
    EXPECT_EQ(classify("a\x01"
                       "b\x01"
                       "c\x01"
                       "d\x01"
                       "e\x01"
                       "f\x01"
                       "g\x01"
                       "h\x01"),
              ScrubReason::kBinary);
    // A few stray bytes do not, nor does valid UTF-8.
    EXPECT_EQ(classify("rule\x01name"), ScrubReason::kNone);
    EXPECT_EQ(classify("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92"), ScrubReason::kNone);
    // Overlong encodings and surrogates are not valid UTF-8.
    EXPECT_EQ(classify("\xc0\xaf\xc0\xaf"), ScrubReason::kBinary);
    EXPECT_EQ(classify("\xed\xa0\x80\xed\xa0\x80"), ScrubReason::kBinary);
}

TEST(Scrubber, FindsFreeTextByLength) {
    ScrubOptions o;
    EXPECT_EQ(classify(std::string(o.max_bytes, 'a'), o), ScrubReason::kNone);
    EXPECT_EQ(classify(std::string(o.max_bytes + 1, 'a'), o), ScrubReason::kTooLong);
    o.max_bytes = 10;
    EXPECT_EQ(classify("eleven char", o), ScrubReason::kTooLong);
}

std::string base64(const std::string& bytes) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        std::uint32_t v = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                          (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                          static_cast<unsigned char>(bytes[i + 2]);
        for (int s = 18; s >= 0; s -= 6) {
            out += kAlphabet[(v >> s) & 63];
        }
    }
    return out;
}

TEST(Scrubber, FindsEncodedPayload) {
    EXPECT_EQ(classify("payload dGhpcyBpcyBhIHNlY3JldCBtZXNzYWdlIHdpdGggY29udGVudA=="),
              ScrubReason::kEncoded);
    EXPECT_EQ(classify("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0"),
              ScrubReason::kEncoded);
    std::mt19937_64 rng(21);
    int found = 0;
    for (int i = 0; i < 100; ++i) {
        std::string bytes(48, '\0');
        for (auto& b : bytes) {
            b = static_cast<char>(rng());
        }
        found += classify(base64(bytes)) == ScrubReason::kEncoded ? 1 : 0;
    }
    // 64 random base64 characters; the class-change test misses a few percent of them.
    EXPECT_GE(found, 90);
    // Shorter than the run length: not flagged.
    EXPECT_EQ(classify("dGhpcyBpcyBhIHNlY3Jl"), ScrubReason::kNone);
}

TEST(Scrubber, HashFieldMustLookLikeAHash) {
    EXPECT_EQ(classify_hash("0123456789abcdef0123456789abcdef"), ScrubReason::kNone);
    EXPECT_EQ(classify_hash("hash:0123456789abcdef0123456789abcdef"), ScrubReason::kNone);
    EXPECT_EQ(classify_hash(std::string(128, 'a')), ScrubReason::kNone);
    for (const std::string& v :
         {std::string("alice"), std::string("deadbeef"), std::string(129, 'a'),
          std::string("0123456789ABCDEF0123456789ABCDEF"),
          std::string("0123456789abcdef0123456789abcdeg"), std::string("hash:alice")}) {
        EXPECT_EQ(classify_hash(v), ScrubReason::kNotAHash) << v;
    }
}

TEST(Scrubber, ReasonsHaveNames) {
    for (std::size_t i = 0; i < kScrubReasonCount; ++i) {
        EXPECT_NE(to_string(static_cast<ScrubReason>(i)), "unknown");
    }
}

}  // namespace
}  // namespace cyberalarm::privacy
