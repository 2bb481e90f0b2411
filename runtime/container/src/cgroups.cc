#include "cgroups.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

#include "moor/common/files.h"

namespace moor::runtime {
namespace {

namespace fs = std::filesystem;

bool Exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

// "oom_kill 3" in a "key value" per line file.
std::uint64_t ReadCounter(const std::string& path, const std::string& key) {
  auto content = ReadFileLimited(path, 1 << 16);
  if (!content.ok()) return 0;
  std::istringstream in(*content);
  std::string k;
  std::uint64_t v = 0;
  while (in >> k >> v) {
    if (k == key) return v;
  }
  return 0;
}

// rmdir of every directory below and at `dir`, deepest first.
Status RemoveTree(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::Ok();
  std::vector<std::string> dirs;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) dirs.push_back(it->path().string());
  }
  std::sort(dirs.begin(), dirs.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  dirs.push_back(dir);
  for (const auto& d : dirs) {
    // A cgroup whose last task just exited can report EBUSY for a moment.
    int attempts = 0;
    while (::rmdir(d.c_str()) != 0) {
      if (errno == ENOENT) break;
      if (errno != EBUSY || ++attempts > 50) {
        return UnavailableError("remove cgroup " + d + ": " + std::strerror(errno));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return Status::Ok();
}

}  // namespace

CgroupHost CgroupHost::Detect(std::string root) {
  bool v2 = Exists(root + "/cgroup.controllers");
  bool swap = false;
  if (v2) {
    // The root cgroup has no memory.swap.max; any child that has memory enabled does.
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root, ec)) {
      if (entry.is_directory(ec) && Exists(entry.path().string() + "/memory.swap.max")) {
        swap = true;
        break;
      }
    }
  } else {
    swap = Exists(root + "/memory/memory.memsw.limit_in_bytes");
  }
  return CgroupHost(std::move(root), v2, swap);
}

std::vector<std::string> CgroupHost::ContainerDirs(const std::string& cgroup_path) const {
  if (v2_) return {root_ + cgroup_path};
  std::vector<std::string> out;
  std::set<std::string> seen;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root_, ec)) {
    if (!entry.is_directory(ec)) continue;
    std::string real = fs::canonical(entry.path(), ec).string();
    if (ec || !seen.insert(real).second) continue;
    out.push_back(real + cgroup_path);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status CgroupHost::RemoveContainerDirs(const std::string& cgroup_path) const {
  if (cgroup_path.empty() || cgroup_path == "/") return InvalidArgumentError("refusing to remove the root cgroup");
  Status first;
  for (const auto& dir : ContainerDirs(cgroup_path)) {
    Status s = RemoveTree(dir);
    if (!s.ok() && first.ok()) first = s;
  }
  return first;
}

std::string CgroupHost::MemoryDir(const std::string& cgroup_path) const {
  return v2_ ? root_ + cgroup_path : root_ + "/memory" + cgroup_path;
}

std::uint64_t CgroupHost::OomKillCount(const std::string& cgroup_path) const {
  if (v2_) return ReadCounter(MemoryDir(cgroup_path) + "/memory.events", "oom_kill");
  return ReadCounter(MemoryDir(cgroup_path) + "/memory.oom_control", "oom_kill");
}

}  // namespace moor::runtime
