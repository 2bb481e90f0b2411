#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "moor/common/mounts.h"  // MountPointsUnder, UnmountAllUnder
#include "moor/common/status.h"

namespace moor::runtime {

// The overlay mount data for a root filesystem: lowerdir lists `layers_bottom_first` reversed
// (overlayfs wants the top layer first). kInvalidArgument if a path contains ',' or ':' (overlay
// cannot express them) or the data exceeds one page (too many layers for one mount).
StatusOr<std::string> OverlayMountData(const std::vector<std::string>& layers_bottom_first, const std::string& upper,
                                       const std::string& work);

// Mounts an overlay at `target` (an existing directory). kUnavailable with the kernel's reason.
Status MountOverlay(const std::vector<std::string>& layers_bottom_first, const std::string& upper,
                    const std::string& work, const std::string& target);

}  // namespace moor::runtime
