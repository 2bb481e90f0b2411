#pragma once

#include <string>

#include "moor/common/status.h"

namespace moor::runtime {

// The host side of named network namespaces, behind a seam so that CniNetwork's unit tests run
// without root (FakeHost). The real one makes the system calls itself: no `ip netns` and no
// loopback plugin process per pod.
class NetnsHost {
 public:
  virtual ~NetnsHost() = default;

  // True if `path` is a mounted network namespace.
  virtual bool IsMounted(const std::string& path) = 0;

  // A new network namespace with its loopback interface up (what the CNI loopback plugin
  // does), bind-mounted on a new file `path` (its directory is created; a plain file left there
  // by a crash is replaced). If `make_dir_shared`, the directory is first made a shared mount
  // point, as `ip netns add` does for /run/netns, so that a later unmount reaches the copies in
  // other mount namespaces. On failure nothing is left at `path`.
  virtual Status Create(const std::string& path, bool make_dir_shared) = 0;

  // Lazily unmounts `path` (MNT_DETACH) if it is mounted and removes the file; OK if missing.
  // The namespace itself lives on while processes still use it.
  virtual Status Remove(const std::string& path) = 0;
};

// The process-wide real implementation (needs CAP_SYS_ADMIN).
NetnsHost& SystemNetnsHost();

}  // namespace moor::runtime
