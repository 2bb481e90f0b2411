#pragma once

#include <functional>
#include <string>

#include "moor/common/command.h"
#include "moor/common/status.h"

namespace moor::runtime {

// Named network namespaces in one directory, made persistent by a bind mount of an nsfs file.
// In /var/run/netns (or /run/netns) it uses `ip netns add|delete` so that `ip netns exec` and
// iproute2's shared-mount set-up apply; elsewhere `unshare --net=<file> true` and `umount -l`.
// Not thread-safe for the same name; callers serialize.
class NetnsManager {
 public:
  // True if `path` is a mounted network namespace. Tests substitute their own.
  using Probe = std::function<bool(const std::string& path)>;

  // `probe` nullptr: statfs() reports nsfs.
  NetnsManager(CommandRunner& runner, std::string netns_dir, Probe probe = nullptr);

  std::string PathFor(const std::string& name) const { return dir_ + "/" + name; }
  bool Exists(const std::string& name) const { return probe_(PathFor(name)); }

  // Creates the namespace `name`; OK if it already exists. A plain file left at its path by a
  // crash (created, never mounted) is replaced.
  Status Create(const std::string& name);

  // Unmounts and removes the namespace file; OK if it is missing. The namespace itself lives on
  // while processes still run in it.
  Status Delete(const std::string& name);

  // The statfs()-based probe.
  static bool IsMountedNetns(const std::string& path);

 private:
  bool UsesIproute2() const;

  CommandRunner& runner_;
  std::string dir_;
  Probe probe_;
};

}  // namespace moor::runtime
