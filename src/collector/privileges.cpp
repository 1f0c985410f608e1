#include "collector/privileges.h"

#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cyberalarm::collector {

namespace {

core::Error os_error(const std::string& what) {
    return core::Error(core::ErrorCode::kPermissionDenied,
                       "dropping privileges: " + what + ": " + std::strerror(errno));
}

core::Result<void> give(const std::filesystem::path& p, uid_t uid, gid_t gid) {
    std::error_code ec;
    if (!std::filesystem::exists(p, ec)) {
        return {};
    }
    if (::lchown(p.c_str(), uid, gid) != 0) {
        return core::fail(os_error("chown " + p.string()));
    }
    if (std::filesystem::is_directory(p, ec) && !std::filesystem::is_symlink(p, ec)) {
        for (const auto& entry : std::filesystem::recursive_directory_iterator(
                 p, std::filesystem::directory_options::none, ec)) {
            if (::lchown(entry.path().c_str(), uid, gid) != 0) {
                return core::fail(os_error("chown " + entry.path().string()));
            }
        }
        if (ec) {
            return core::fail(core::Error::io("dropping privileges: listing " + p.string() + ": " +
                                              ec.message()));
        }
    }
    return {};
}

}  // namespace

core::Result<void> drop_privileges(const std::string& user,
                                   const std::vector<std::filesystem::path>& paths) {
    if (user.empty()) {
        return {};
    }
    errno = 0;
    struct passwd* pw = ::getpwnam(user.c_str());
    if (pw == nullptr) {
        return core::fail(core::Error::not_found("dropping privileges: no user named '" + user +
                                                 "'"));
    }
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    if (::geteuid() != 0) {
        if (::geteuid() == uid) {
            return {};
        }
        return core::fail(core::Error(core::ErrorCode::kPermissionDenied,
                                      "dropping privileges: configured to run as '" + user +
                                          "' but started as another unprivileged user"));
    }
    if (uid == 0) {
        return core::fail(core::Error::invalid_argument(
            "dropping privileges: collector.user must not be root"));
    }
    for (const auto& p : paths) {
        if (auto r = give(p, uid, gid); !r) {
            return r;
        }
    }
    if (::setgroups(0, nullptr) != 0) {
        return core::fail(os_error("setgroups"));
    }
    if (::setresgid(gid, gid, gid) != 0) {
        return core::fail(os_error("setresgid"));
    }
    if (::setresuid(uid, uid, uid) != 0) {
        return core::fail(os_error("setresuid"));
    }
    // Proof, not hope: regaining root must now fail.
    if (::setuid(0) == 0 || ::geteuid() == 0) {
        return core::fail(core::Error::internal("dropping privileges: root could be regained"));
    }
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        return core::fail(os_error("prctl(PR_SET_NO_NEW_PRIVS)"));
    }
    return {};
}

}  // namespace cyberalarm::collector
