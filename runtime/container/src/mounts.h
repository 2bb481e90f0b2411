#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "moor/common/status.h"

namespace moor::runtime {

// Mount points listed in `mountinfo` (the text of /proc/self/mountinfo) that are `dir` or below
// it, deepest first (so unmounting them in order never hits a busy parent). Octal escapes such
// as "\040" are decoded; a sibling like "<dir>-x" is not "below" dir.
std::vector<std::string> MountPointsUnder(std::string_view mountinfo, const std::string& dir);

// The overlay mount data for a root filesystem: lowerdir lists `layers_bottom_first` reversed
// (overlayfs wants the top layer first). kInvalidArgument if a path contains ',' or ':' (overlay
// cannot express them) or the data exceeds one page (too many layers for one mount).
StatusOr<std::string> OverlayMountData(const std::vector<std::string>& layers_bottom_first, const std::string& upper,
                                       const std::string& work);

// Mounts an overlay at `target` (an existing directory). kUnavailable with the kernel's reason.
Status MountOverlay(const std::vector<std::string>& layers_bottom_first, const std::string& upper,
                    const std::string& work, const std::string& target);

// Unmounts (lazily, MNT_DETACH) every mount at or below `dir`, deepest first, until none is left
// in /proc/self/mountinfo. OK if there is nothing mounted.
Status UnmountAllUnder(const std::string& dir);

}  // namespace moor::runtime
