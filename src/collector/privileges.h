// Dropping root once the privileged work (binding ports below 1024, reading key files) is
// done. After drop_privileges() the process runs as the named user with its primary group
// only, cannot regain root (the saved set-user-id is changed too) and has no_new_privs set,
// so nothing it could ever execute gains privileges.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"

namespace cyberalarm::collector {

// Gives `paths` (recursively) to `user`, then becomes that user. Refuses to run on as root
// if the user is unknown or any step fails. When not running as root: a no-op if `user` is
// the current user, an error otherwise.
core::Result<void> drop_privileges(const std::string& user,
                                   const std::vector<std::filesystem::path>& paths);

}  // namespace cyberalarm::collector
