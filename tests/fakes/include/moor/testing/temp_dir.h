#pragma once

#include <filesystem>
#include <string>

namespace moor::testing {

// A fresh directory under $TMPDIR (or /tmp) named moor-test-<name>-XXXXXX, removed with
// everything in it when the object goes away (also when the test fails).
class TempDir {
 public:
  explicit TempDir(const std::string& name = "t");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& rel) const { return path_ / rel; }

 private:
  std::filesystem::path path_;
};

// Writes `content` to `path`, creating parent directories.
void WriteFile(const std::filesystem::path& path, const std::string& content);

}  // namespace moor::testing
