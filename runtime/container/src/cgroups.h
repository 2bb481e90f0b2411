#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "moor/common/status.h"

namespace moor::runtime {

// The host's cgroup layout, as runc uses it for a cgroupsPath like "/moor/<id>" (cgroupfs
// driver): cgroup v2 has one unified tree; v1 (and hybrid) one tree per controller mount.
class CgroupHost {
 public:
  // v2 when <root>/cgroup.controllers exists (the unified hierarchy is mounted at the root).
  static CgroupHost Detect(std::string root = "/sys/fs/cgroup");

  bool v2() const { return v2_; }
  const std::string& root() const { return root_; }
  // Whether memory swap limits can be set (v1: memory.memsw.* exists; v2: memory.swap.max).
  bool memory_swap_supported() const { return swap_; }

  // Every directory runc may have created for `cgroup_path`, one per hierarchy (deduplicated:
  // "cpu" and "cpu,cpuacct" are the same tree), existing or not.
  std::vector<std::string> ContainerDirs(const std::string& cgroup_path) const;

  // Removes the container's cgroup directories (children first); missing ones are fine. A
  // directory that still has processes stays busy: kUnavailable after a short retry.
  Status RemoveContainerDirs(const std::string& cgroup_path) const;

  // OOM kills recorded for the cgroup ("oom_kill N" in v1 memory.oom_control, v2 memory.events);
  // 0 when the cgroup is gone or the kernel does not count them.
  std::uint64_t OomKillCount(const std::string& cgroup_path) const;

 private:
  CgroupHost(std::string root, bool v2, bool swap) : root_(std::move(root)), v2_(v2), swap_(swap) {}
  std::string MemoryDir(const std::string& cgroup_path) const;

  std::string root_;
  bool v2_ = false;
  bool swap_ = false;
};

}  // namespace moor::runtime
