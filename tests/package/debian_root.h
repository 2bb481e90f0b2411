#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "moor/testing/process.h"

namespace moor::package_test {

// A fresh Debian 12 root (debootstrap --variant=minbase bookworm from deb.debian.org) in a
// new directory /var/tmp/moor-test-debroot-XXXXXX/root (not under a TempDir, whose recursive
// delete would cross mounts), with /proc mounted and the archive's bookworm, bookworm-updates and
// bookworm-security suites as apt sources, as on a freshly installed server. The destructor
// unmounts everything below the root and deletes it (never crossing into another filesystem),
// also when the test failed.
class DebianRoot {
 public:
  // `cache_dir` keeps debootstrap's downloaded .debs between runs.
  explicit DebianRoot(std::filesystem::path cache_dir);
  ~DebianRoot();
  DebianRoot(const DebianRoot&) = delete;
  DebianRoot& operator=(const DebianRoot&) = delete;

  // Runs debootstrap and prepares the root. Returns "" or what went wrong (with its output).
  std::string Create();

  // Runs argv inside the root (chroot), non-interactive, with a C locale.
  testing::CommandResult Run(const std::vector<std::string>& argv,
                             std::chrono::milliseconds timeout = std::chrono::minutes(10));

  // A path inside the root ("/etc/moor" -> <dir>/etc/moor).
  std::filesystem::path Path(const std::string& absolute) const { return dir_ / absolute.substr(1); }
  const std::filesystem::path& dir() const { return dir_; }

  // Unmounts and deletes the root. Returns "" or what is left behind. Safe to call twice.
  std::string Remove();

 private:
  std::filesystem::path top_;  // the mkdtemp directory; dir_ is top_/root
  std::filesystem::path dir_;
  std::filesystem::path cache_dir_;
};

}  // namespace moor::package_test
