#pragma once

#include <string>
#include <string_view>

#include "moor/common/status.h"
#include "moor/runtime/container_spec.h"
#include "moor/runtime/oci_spec.h"

namespace moor::runtime {

// Resolves who a container's process runs as, from the contents of the rootfs's /etc/passwd
// and /etc/group (empty when the image has none):
//   - security.run_as_user wins over image_user; a numeric uid needs no passwd entry.
//   - image_user is "", "name", "uid", "name:group", "uid:gid" (Docker's User syntax); "" = root.
//     A name missing from /etc/passwd (or group from /etc/group) is kNotFound naming it.
//   - gid: security.run_as_group, else the group in image_user, else the user's primary group in
//     /etc/passwd, else 0.
//   - additional gids: the groups in /etc/group that list the user's name, then
//     security.supplemental_groups (duplicates and the primary gid removed).
StatusOr<ProcessUser> ResolveProcessUser(const SecurityOptions& security, std::string_view image_user,
                                         std::string_view passwd, std::string_view group);

// Same, reading etc/passwd and etc/group inside `rootfs` (a directory on the host); symlinks in
// the image resolve inside the rootfs, never to host files.
StatusOr<ProcessUser> ResolveProcessUserInRootfs(const SecurityOptions& security, std::string_view image_user,
                                                 const std::string& rootfs);

}  // namespace moor::runtime
