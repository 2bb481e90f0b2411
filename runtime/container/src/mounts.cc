#include "mounts.h"

#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "moor/common/files.h"

namespace moor::runtime {


StatusOr<std::string> OverlayMountData(const std::vector<std::string>& layers_bottom_first, const std::string& upper,
                                       const std::string& work) {
  if (layers_bottom_first.empty()) return InvalidArgumentError("no image layers to mount");
  auto check = [](const std::string& path) -> Status {
    if (path.find_first_of(",:") != std::string::npos) {
      return InvalidArgumentError("overlay cannot mount a path with ',' or ':': " + path);
    }
    return Status::Ok();
  };
  std::string lower;
  for (auto it = layers_bottom_first.rbegin(); it != layers_bottom_first.rend(); ++it) {
    MOOR_RETURN_IF_ERROR(check(*it));
    if (!lower.empty()) lower += ':';
    lower += *it;
  }
  MOOR_RETURN_IF_ERROR(check(upper));
  MOOR_RETURN_IF_ERROR(check(work));
  std::string data = "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work;
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  if (data.size() >= page) {
    return InvalidArgumentError("overlay mount options for " + std::to_string(layers_bottom_first.size()) +
                                " layers are " + std::to_string(data.size()) + " bytes, over the kernel's limit of " +
                                std::to_string(page - 1));
  }
  return data;
}

Status MountOverlay(const std::vector<std::string>& layers_bottom_first, const std::string& upper,
                    const std::string& work, const std::string& target) {
  MOOR_ASSIGN_OR_RETURN(std::string data, OverlayMountData(layers_bottom_first, upper, work));
  if (::mount("overlay", target.c_str(), "overlay", 0, data.c_str()) != 0) {
    return UnavailableError("mount overlay at " + target + ": " + std::strerror(errno) + " (" + data + ")");
  }
  return Status::Ok();
}


}  // namespace moor::runtime
