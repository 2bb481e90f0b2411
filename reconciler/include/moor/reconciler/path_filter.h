#pragma once

#include <filesystem>
#include <string_view>

namespace moor::reconciler {

// Which names in a watched folder the folder source looks at. Pure functions, no I/O.

// True for names the source never reads or descends into: dotfiles and dot-directories
// (".git", ".web.yaml.tmp"), and editor temp files: "*~", "*.swp", "*.swx", ".#*", "#*#",
// vim's "4913" probe and "*.tmp".
bool IsIgnoredName(std::string_view name);

// True for a file name the source syncs: "*.yaml", "*.yml" or "*.json" and not ignored.
bool IsManifestFileName(std::string_view name);

// True if `relative` (a path below the root, "apps/web.yaml") names a manifest file: its last
// component passes IsManifestFileName and no directory component is ignored. Absolute paths
// and paths with "." or ".." components are never manifest paths.
bool IsManifestPath(const std::filesystem::path& relative);

// True if `relative` names a directory the source may descend into (no component ignored).
// The empty path (the root itself) qualifies.
bool IsWatchedDirectory(const std::filesystem::path& relative);

}  // namespace moor::reconciler
