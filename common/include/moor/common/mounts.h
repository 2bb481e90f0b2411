#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "moor/common/status.h"

namespace moor {

// Mount points listed in `mountinfo` (the text of /proc/self/mountinfo) that are `dir` or below
// it, deepest first (so unmounting them in order never hits a busy parent). Octal escapes such
// as "\040" are decoded; a sibling like "<dir>-x" is not "below" dir.
std::vector<std::string> MountPointsUnder(std::string_view mountinfo, const std::string& dir);

// The same, read from this process's /proc/self/mountinfo (empty if it cannot be read).
std::vector<std::string> CurrentMountPointsUnder(const std::string& dir);

// Unmounts (lazily, MNT_DETACH) every mount at or below `dir`, deepest first, until none is left
// in /proc/self/mountinfo. OK if there is nothing mounted.
Status UnmountAllUnder(const std::string& dir);

}  // namespace moor
