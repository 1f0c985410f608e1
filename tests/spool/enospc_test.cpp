// A real full disk: in a forked child, a private mount namespace with a 256 KiB tmpfs; the
// spool runs there until the disk fills. The child reports back through a pipe.
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <sstream>

#include "spool/spool.h"
#include "spool_test_util.h"
#include "support/test_support.h"

namespace cyberalarm::spool {
namespace {

using test::payload;

constexpr const char* kSkip = "SKIP:";

// Collects failures in the child, where gtest assertions cannot reach the parent.
class Checks {
public:
    void expect(bool ok, const std::string& what) {
        if (!ok) {
            out_ << "FAILED: " << what << "\n";
        }
    }
    std::ostringstream& note() { return out_; }
    [[nodiscard]] std::string text() const { return out_.str(); }

private:
    std::ostringstream out_;
};

Options tmpfs_options(FullPolicy policy, FsyncPolicy fsync = FsyncPolicy::kAlways) {
    Options o;
    o.segment_bytes = 16 * 1024;
    o.max_bytes = 1u << 30;  // the disk, not the bound, fills up
    o.fsync = fsync;
    o.fsync_interval = std::chrono::hours(1);
    o.when_full = policy;
    o.max_record_bytes = 1024;
    return o;
}

// Reopens and checks that recovery found nothing damaged; returns the records.
std::vector<Record> reopen_clean(const std::filesystem::path& dir, Checks& c) {
    auto s = Spool::open(dir, tmpfs_options(FullPolicy::kRefuseNew));
    if (!s) {
        c.expect(false, "reopen: " + s.error().to_string());
        return {};
    }
    auto st = (*s)->stats();
    c.expect(st.torn_bytes_cut == 0, "reopen cut " + std::to_string(st.torn_bytes_cut) + " bytes");
    c.expect(st.corrupt_skipped == 0 && st.corrupt_bytes == 0, "reopen found damage");
    auto r = (*s)->read(0, SIZE_MAX, SIZE_MAX);
    c.expect(r.has_value(), "reopen read");
    return r ? std::move(*r) : std::vector<Record>{};
}

void refuse_new(const std::filesystem::path& dir, Checks& c) {
    std::uint64_t stored = 0;
    core::Error last = core::Error::internal("no error");
    {
        auto s = Spool::open(dir, tmpfs_options(FullPolicy::kRefuseNew));
        if (!s) {
            c.expect(false, "open: " + s.error().to_string());
            return;
        }
        for (;;) {
            auto r = (*s)->append(payload(stored + 1, 200));
            if (!r) {
                last = r.error();
                break;
            }
            ++stored;
            if (stored > 100000) {
                c.expect(false, "the 256 KiB disk never filled");
                return;
            }
        }
        c.note() << "refuse-new: " << stored << " records stored; error: " << last.message()
                 << "\n";
        c.expect(stored > 500, "too few records before the disk filled");
        c.expect(last.code() == core::ErrorCode::kResourceExhausted, "error code");
        c.expect(last.message().rfind("disk full writing " + dir.string(), 0) == 0,
                 "error text: " + last.message());
        c.expect(last.message().find(std::strerror(ENOSPC)) != std::string::npos,
                 "error names ENOSPC: " + last.message());
        // Still full: refused again, nothing damaged in between.
        c.expect(!(*s)->append(payload(stored + 1, 200)), "second append after full");
        auto st = (*s)->stats();
        c.expect(st.refused == 2, "refused = " + std::to_string(st.refused));
        c.expect(st.dropped_oldest == 0, "nothing dropped under refuse-new");
        c.expect(st.next_seq == stored + 1, "no seq used by a refused append");
    }
    auto records = reopen_clean(dir, c);
    c.expect(records.size() == stored, "all stored records back after reopen");
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (records[i].seq != i + 1 || records[i].data != payload(i + 1, 200)) {
            c.expect(false, "record " + std::to_string(i + 1) + " differs");
            break;
        }
    }
    // Acknowledging frees space even on a full disk (the cursor needs a block too).
    auto s = Spool::open(dir, tmpfs_options(FullPolicy::kRefuseNew));
    if (!s) {
        c.expect(false, "open for ack: " + s.error().to_string());
        return;
    }
    auto acked = (*s)->ack(stored);
    c.expect(acked.has_value(), "ack on a full disk: " + (acked ? "" : acked.error().message()));
    auto more = (*s)->append(payload(stored + 1, 200));
    c.expect(more.has_value() && *more == stored + 1,
             "append after ack: " + (more ? "" : more.error().message()));
}

void drop_oldest(const std::filesystem::path& dir, FsyncPolicy fsync, Checks& c) {
    constexpr std::uint64_t kN = 5000;  // about 1.1 MB into 256 KiB
    {
        auto s = Spool::open(dir, tmpfs_options(FullPolicy::kDropOldest, fsync));
        if (!s) {
            c.expect(false, "open: " + s.error().to_string());
            return;
        }
        for (std::uint64_t i = 1; i <= kN; ++i) {
            auto r = (*s)->append(payload(i, 200));
            if (!r || *r != i) {
                c.expect(false, "append " + std::to_string(i) + ": " +
                                    (r ? "wrong seq" : r.error().message()));
                return;
            }
        }
        auto st = (*s)->stats();
        c.note() << "drop-oldest (fsync " << (fsync == FsyncPolicy::kAlways ? "always" : "interval")
                 << "): " << st.dropped_oldest << " dropped, " << st.pending
                 << " kept; last_error: " << st.last_error << "\n";
        c.expect(st.dropped_oldest > 0, "something was dropped");
        // Dropping must free space: a dropped segment whose descriptor stayed open (one
        // waiting for the interval sync) would not, and far more would be dropped. About
        // 1150 records of 200 bytes fit in 256 KiB; a 16 KiB segment holds 73.
        c.expect(st.pending > 800, "too few records kept: " + std::to_string(st.pending));
        c.expect(st.refused == 0, "nothing refused under drop-oldest");
        c.expect(st.dropped_oldest + st.pending == kN, "dropped + kept = appended");
        c.expect(st.last_error.find("spool full: dropped segment") != std::string::npos,
                 "drop reported: " + st.last_error);
    }
    auto records = reopen_clean(dir, c);
    c.expect(!records.empty() && records.back().seq == kN, "newest records kept");
    for (std::size_t i = 1; i < records.size(); ++i) {
        if (records[i].seq != records[i - 1].seq + 1 ||
            records[i].data != payload(records[i].seq, 200)) {
            c.expect(false, "gap or damage at " + std::to_string(records[i].seq));
            break;
        }
    }
}

// Runs in the child: the mount namespace, the tmpfs, both scenarios.
std::string child(const std::filesystem::path& root) {
    if (::unshare(CLONE_NEWNS) != 0) {
        return std::string(kSkip) + " unshare(CLONE_NEWNS): " + std::strerror(errno);
    }
    if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
        return std::string(kSkip) + " making mounts private: " + std::strerror(errno);
    }
    Checks c;
    int n = 0;
    using Scenario = std::function<void(const std::filesystem::path&, Checks&)>;
    const Scenario scenarios[] = {
        refuse_new,
        [](const std::filesystem::path& d, Checks& ch) {
            drop_oldest(d, FsyncPolicy::kAlways, ch);
        },
        [](const std::filesystem::path& d, Checks& ch) {
            drop_oldest(d, FsyncPolicy::kInterval, ch);
        },
    };
    for (const auto& scenario : scenarios) {
        auto mnt = root / ("disk" + std::to_string(n++));
        std::filesystem::create_directories(mnt);
        if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=256k,mode=0700") != 0) {
            return std::string(kSkip) + " mounting a tmpfs: " + std::strerror(errno);
        }
        scenario(mnt / "spool", c);
        ::umount2(mnt.c_str(), MNT_DETACH);
    }
    return c.text();
}

TEST(SpoolDiskFullTest, RealEnospcOnASmallTmpfs) {
    cyberalarm::test::TempDir tmp;
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        ::close(fds[0]);
        std::string report = child(tmp.path());
        std::size_t done = 0;
        while (done < report.size()) {
            ssize_t w = ::write(fds[1], report.data() + done, report.size() - done);
            if (w <= 0) {
                break;
            }
            done += static_cast<std::size_t>(w);
        }
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string report;
    char buf[4096];
    ssize_t r;
    while ((r = ::read(fds[0], buf, sizeof buf)) > 0) {
        report.append(buf, static_cast<std::size_t>(r));
    }
    ::close(fds[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "child died; status " << status << "\n"
        << report;
    if (report.rfind(kSkip, 0) == 0) {
        GTEST_SKIP() << "cannot make a small disk here (needs CAP_SYS_ADMIN):"
                     << report.substr(std::strlen(kSkip));
    }
    EXPECT_EQ(report.find("FAILED"), std::string::npos) << report;
    EXPECT_NE(report.find("refuse-new:"), std::string::npos) << report;
    EXPECT_NE(report.find("drop-oldest (fsync always):"), std::string::npos) << report;
    EXPECT_NE(report.find("drop-oldest (fsync interval):"), std::string::npos) << report;
    std::cout << report;
}

}  // namespace
}  // namespace cyberalarm::spool
