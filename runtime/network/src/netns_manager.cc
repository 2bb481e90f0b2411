#include "netns_manager.h"

#include "argv_command.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace moor::runtime {

NetnsManager::NetnsManager(CommandRunner& runner, std::string netns_dir, Probe probe)
    : runner_(runner), dir_(std::move(netns_dir)), probe_(probe ? std::move(probe) : Probe(&IsMountedNetns)) {
  while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
}

bool NetnsManager::IsMountedNetns(const std::string& path) {
  struct statfs fs {};
  return ::statfs(path.c_str(), &fs) == 0 && static_cast<unsigned long>(fs.f_type) == NSFS_MAGIC;
}

bool NetnsManager::UsesIproute2() const { return dir_ == "/var/run/netns" || dir_ == "/run/netns"; }

Status NetnsManager::Create(const std::string& name) {
  if (Exists(name)) return Status::Ok();
  const std::string path = PathFor(name);
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) std::filesystem::remove(path, ec);  // unmounted leftover
  if (UsesIproute2()) {
    MOOR_ASSIGN_OR_RETURN(CommandResult ignored, RunChecked(runner_, ArgvCommand({"ip", "netns", "add", name})));
    (void)ignored;
    return Status::Ok();
  }
  std::filesystem::create_directories(dir_, ec);
  if (ec) return UnavailableError("creating netns directory " + dir_ + ": " + ec.message());
  int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_RDONLY | O_CLOEXEC, 0444);
  if (fd < 0) return UnavailableError("creating netns file " + path + ": " + std::strerror(errno));
  ::close(fd);
  auto done = RunChecked(runner_, ArgvCommand({"unshare", "--net=" + path, "true"}));
  if (!done.ok()) {
    std::filesystem::remove(path, ec);
    return done.status();
  }
  return Status::Ok();
}

Status NetnsManager::Delete(const std::string& name) {
  const std::string path = PathFor(name);
  std::error_code ec;
  if (Exists(name)) {
    CommandSpec spec = UsesIproute2() ? ArgvCommand({"ip", "netns", "delete", name})
                                      : ArgvCommand({"umount", "-l", path});
    MOOR_ASSIGN_OR_RETURN(CommandResult ignored, RunChecked(runner_, spec));
    (void)ignored;
  }
  if (std::filesystem::exists(path, ec) && !std::filesystem::remove(path, ec) && ec) {
    return UnavailableError("removing netns file " + path + ": " + ec.message());
  }
  return Status::Ok();
}

}  // namespace moor::runtime
