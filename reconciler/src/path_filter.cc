#include "moor/reconciler/path_filter.h"

#include <string>

namespace moor::reconciler {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Every component of `relative` passes `ok`; "." and ".." and absolute paths never do.
template <typename Fn>
bool AllComponents(const std::filesystem::path& relative, Fn ok) {
  if (relative.is_absolute()) return false;
  for (const auto& part : relative) {
    std::string name = part.string();
    if (name.empty()) continue;  // a trailing separator
    if (name == "." || name == ".." || !ok(name)) return false;
  }
  return true;
}

}  // namespace

bool IsIgnoredName(std::string_view name) {
  if (name.empty()) return true;
  if (name.front() == '.') return true;                           // dotfiles, ".#*" (emacs locks)
  if (name.back() == '~') return true;                            // backups
  if (name.size() >= 2 && name.front() == '#' && name.back() == '#') return true;  // emacs autosave
  if (name == "4913") return true;                                // vim's write probe
  return EndsWith(name, ".swp") || EndsWith(name, ".swx") || EndsWith(name, ".tmp");
}

bool IsManifestFileName(std::string_view name) {
  if (IsIgnoredName(name)) return false;
  return EndsWith(name, ".yaml") || EndsWith(name, ".yml") || EndsWith(name, ".json");
}

bool IsManifestPath(const std::filesystem::path& relative) {
  if (relative.empty() || !relative.has_filename()) return false;
  if (!IsManifestFileName(relative.filename().string())) return false;
  return AllComponents(relative, [](const std::string& name) { return !IsIgnoredName(name); });
}

bool IsWatchedDirectory(const std::filesystem::path& relative) {
  return AllComponents(relative, [](const std::string& name) { return !IsIgnoredName(name); });
}

}  // namespace moor::reconciler
