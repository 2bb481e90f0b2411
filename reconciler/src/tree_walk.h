#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <functional>
#include <string>

namespace moor::reconciler {

// "a/b" + "c" -> "a/b/c"; "" + "c" -> "c".
std::string JoinRelative(const std::string& dir, const std::string& name);

// Walks the tree below root/start ("" = the root): calls on_dir(relative) for every directory
// (start included) and on_file(relative, stat) for every manifest file (path_filter.h rules).
// Ignored names are not entered; symlinks are followed, but every directory inode is
// visited once, so symlink loops end. Unreadable entries are skipped.
void WalkTree(const std::filesystem::path& root, const std::string& start,
              const std::function<void(const std::string&)>& on_dir,
              const std::function<void(const std::string&, const struct stat&)>& on_file);

}  // namespace moor::reconciler
