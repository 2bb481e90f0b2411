#pragma once

#include <atomic>
#include <string>

#include "moor/common/status.h"
#include "netns_host.h"

namespace moor::runtime {

// Named network namespaces in one directory, each kept alive by a bind mount on a file named
// after it. In /var/run/netns (or /run/netns) the directory is a shared mount point as
// iproute2 makes it, so `ip netns exec <name>` works on moor's namespaces. Not thread-safe for
// the same name; callers serialize.
class NetnsManager {
 public:
  NetnsManager(NetnsHost& host, std::string netns_dir);

  std::string PathFor(const std::string& name) const { return dir_ + "/" + name; }
  bool Exists(const std::string& name) const { return host_.IsMounted(PathFor(name)); }

  // Creates the namespace `name` with lo up; OK if it already exists. A plain file left at its
  // path by a crash (created, never mounted) is replaced.
  Status Create(const std::string& name);

  // Unmounts and removes the namespace file; OK if it is missing. The namespace itself lives on
  // while processes still run in it.
  Status Delete(const std::string& name);

 private:
  bool IsIproute2Dir() const { return dir_ == "/var/run/netns" || dir_ == "/run/netns"; }

  NetnsHost& host_;
  std::string dir_;
  std::atomic<bool> dir_shared_{false};  // the shared mount set-up ran once
};

}  // namespace moor::runtime
