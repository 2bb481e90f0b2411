#include "moor/reconciler/path_filter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace moor::reconciler {
namespace {

struct PathCase {
  std::string path;
  bool manifest;
};

TEST(PathFilterTest, ManifestPaths) {
  const std::vector<PathCase> cases = {
      {"web.yaml", true},
      {"web.yml", true},
      {"web.json", true},
      {"apps/prod/web.yaml", true},
      {"README.md", false},
      {"web.yaml.bak", false},
      {"web", false},
      {".web.yaml", false},            // dotfile
      {".web.yaml.tmp", false},        // atomic-write temp file
      {"web.yaml~", false},            // backup
      {".web.yaml.swp", false},        // vim swap
      {"web.yaml.swp", false},
      {"web.yaml.swx", false},
      {".#web.yaml", false},           // emacs lock
      {"#web.yaml#", false},           // emacs autosave
      {"4913", false},                 // vim write probe
      {"web.yaml.tmp", false},
      {".git/config.yaml", false},     // dot-directory
      {"apps/.hidden/web.yaml", false},
      {"apps/#old#/web.yaml", false},
      {"../web.yaml", false},
      {"/etc/web.yaml", false},
      {"", false},
  };
  for (const PathCase& c : cases) {
    EXPECT_EQ(IsManifestPath(c.path), c.manifest) << c.path;
  }
}

TEST(PathFilterTest, IgnoredNames) {
  for (const char* name : {".git", ".#x", "#x#", "x~", "x.swp", "x.swx", "x.tmp", "4913", ""}) {
    EXPECT_TRUE(IsIgnoredName(name)) << name;
  }
  for (const char* name : {"apps", "web.yaml", "4914", "#x", "x#"}) {
    EXPECT_FALSE(IsIgnoredName(name)) << name;
  }
}

TEST(PathFilterTest, WatchedDirectories) {
  EXPECT_TRUE(IsWatchedDirectory(""));
  EXPECT_TRUE(IsWatchedDirectory("apps/prod"));
  EXPECT_FALSE(IsWatchedDirectory(".git"));
  EXPECT_FALSE(IsWatchedDirectory("apps/.cache"));
  EXPECT_FALSE(IsWatchedDirectory("../x"));
}

}  // namespace
}  // namespace moor::reconciler
