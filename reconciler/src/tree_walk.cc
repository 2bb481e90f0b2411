#include "tree_walk.h"

#include <dirent.h>

#include <set>
#include <utility>
#include <vector>

#include "moor/reconciler/path_filter.h"

namespace moor::reconciler {

std::string JoinRelative(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : dir + "/" + name;
}

void WalkTree(const std::filesystem::path& root, const std::string& start,
              const std::function<void(const std::string&)>& on_dir,
              const std::function<void(const std::string&, const struct stat&)>& on_file) {
  std::set<std::pair<dev_t, ino_t>> visited;
  // The directories above `start` count as visited: a symlink back to one of them is a loop.
  std::filesystem::path above = root;
  for (const auto& part : std::filesystem::path(start).parent_path()) {
    struct stat st {};
    if (::stat(above.c_str(), &st) == 0) visited.insert({st.st_dev, st.st_ino});
    above /= part;
  }
  if (!start.empty()) {
    struct stat st {};
    if (::stat(above.c_str(), &st) == 0) visited.insert({st.st_dev, st.st_ino});
  }
  std::vector<std::string> pending{start};
  while (!pending.empty()) {
    std::string dir = std::move(pending.back());
    pending.pop_back();
    std::filesystem::path full = dir.empty() ? root : root / dir;
    struct stat st {};
    if (::stat(full.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    if (!visited.insert({st.st_dev, st.st_ino}).second) continue;  // seen: a symlink loop or a second link
    if (on_dir) on_dir(dir);
    DIR* handle = ::opendir(full.c_str());
    if (handle == nullptr) continue;
    while (struct dirent* entry = ::readdir(handle)) {
      std::string name = entry->d_name;
      if (name == "." || name == ".." || IsIgnoredName(name)) continue;
      std::string relative = JoinRelative(dir, name);
      struct stat child {};
      if (::stat((root / relative).c_str(), &child) != 0) continue;  // dangling symlink, vanished
      if (S_ISDIR(child.st_mode)) {
        pending.push_back(relative);
      } else if (S_ISREG(child.st_mode) && IsManifestFileName(name) && on_file) {
        on_file(relative, child);
      }
    }
    ::closedir(handle);
  }
}

}  // namespace moor::reconciler
