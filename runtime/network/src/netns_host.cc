#include "netns_host.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <thread>

namespace moor::runtime {

namespace {

Status Errno(const std::string& what) { return UnavailableError(what + ": " + std::strerror(errno)); }

// iproute2's set-up of its netns directory: a mount point (bound onto itself if it is not one)
// with shared propagation.
Status MakeSharedMountPoint(const std::string& dir) {
  bool bound = false;
  while (::mount("", dir.c_str(), "none", MS_SHARED | MS_REC, nullptr) != 0) {
    if (errno != EINVAL || bound) return Errno("making " + dir + " a shared mount");
    if (::mount(dir.c_str(), dir.c_str(), "none", MS_BIND | MS_REC, nullptr) != 0) {
      return Errno("bind-mounting " + dir + " onto itself");
    }
    bound = true;
  }
  return Status::Ok();
}

// Sets IFF_UP on `name` in the calling thread's network namespace.
Status InterfaceUp(const char* name) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Errno("socket");
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  Status st;
  if (::ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) {
    st = Errno(std::string("reading the flags of ") + name);
  } else if (!(ifr.ifr_flags & IFF_UP)) {
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    if (::ioctl(fd, SIOCSIFFLAGS, &ifr) != 0) st = Errno(std::string("bringing up ") + name);
  }
  ::close(fd);
  return st;
}

class SystemHost final : public NetnsHost {
 public:
  bool IsMounted(const std::string& path) override {
    struct statfs fs {};
    return ::statfs(path.c_str(), &fs) == 0 && static_cast<unsigned long>(fs.f_type) == NSFS_MAGIC;
  }

  Status Create(const std::string& path, bool make_dir_shared) override {
    const std::string dir = std::filesystem::path(path).parent_path().string();
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return UnavailableError("creating netns directory " + dir + ": " + ec.message());
    if (make_dir_shared) MOOR_RETURN_IF_ERROR(MakeSharedMountPoint(dir));
    if (std::filesystem::exists(path, ec)) std::filesystem::remove(path, ec);  // never mounted: a crash
    int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_RDONLY | O_CLOEXEC, 0444);
    if (fd < 0) return Errno("creating netns file " + path);
    ::close(fd);
    // The network namespace is per thread: a short-lived thread moves into a new one, sets it
    // up, and pins it with the bind mount; the rest of the process never leaves its own.
    Status result;
    std::thread worker([&] {
      if (::unshare(CLONE_NEWNET) != 0) {
        result = Errno("unshare(CLONE_NEWNET)");
        return;
      }
      result = InterfaceUp("lo");
      if (!result.ok()) return;
      if (::mount("/proc/thread-self/ns/net", path.c_str(), "none", MS_BIND, nullptr) != 0) {
        result = Errno("bind-mounting a new network namespace on " + path);
      }
    });
    worker.join();
    if (!result.ok()) std::filesystem::remove(path, ec);
    return result;
  }

  Status Remove(const std::string& path) override {
    if (IsMounted(path) && ::umount2(path.c_str(), MNT_DETACH) != 0) return Errno("unmounting " + path);
    std::error_code ec;
    if (!std::filesystem::remove(path, ec) && ec) return UnavailableError("removing " + path + ": " + ec.message());
    return Status::Ok();
  }
};

}  // namespace

NetnsHost& SystemNetnsHost() {
  static SystemHost* host = new SystemHost();
  return *host;
}

}  // namespace moor::runtime
