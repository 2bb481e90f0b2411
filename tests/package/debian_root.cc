#include "debian_root.h"

#include <stdlib.h>
#include <sys/mount.h>

#include <system_error>

#include "moor/common/mounts.h"
#include "moor/testing/temp_dir.h"

namespace moor::package_test {
namespace fs = std::filesystem;
using testing::RunCommand;

DebianRoot::DebianRoot(fs::path cache_dir) : cache_dir_(std::move(cache_dir)) {
  std::string pattern = "/var/tmp/moor-test-debroot-XXXXXX";
  if (::mkdtemp(pattern.data()) != nullptr) {
    top_ = pattern;
    dir_ = top_ / "root";
  }
}

DebianRoot::~DebianRoot() { Remove(); }

std::string DebianRoot::Create() {
  if (top_.empty()) return "cannot create a directory in /var/tmp for the root";
  std::error_code ec;
  fs::create_directories(cache_dir_, ec);
  if (ec) return "cannot create " + cache_dir_.string() + ": " + ec.message();
  auto r = RunCommand({"debootstrap", "--variant=minbase", "--cache-dir=" + cache_dir_.string(), "bookworm",
                       dir_.string(), "http://deb.debian.org/debian"},
                      {}, "", std::chrono::minutes(20));
  if (r.exit_code != 0) {
    std::string log = r.out + r.err;
    return "debootstrap failed (exit " + std::to_string(r.exit_code) +
           "; it needs deb.debian.org and the debootstrap package):\n" + log.substr(log.size() > 4000 ? log.size() - 4000 : 0);
  }
  if (::mount("proc", Path("/proc").c_str(), "proc", 0, nullptr) != 0) {
    return "cannot mount proc in " + dir_.string() + ": " + std::error_code(errno, std::generic_category()).message();
  }
  testing::WriteFile(Path("/etc/apt/sources.list"),
                     "deb http://deb.debian.org/debian bookworm main\n"
                     "deb http://deb.debian.org/debian bookworm-updates main\n"
                     "deb http://deb.debian.org/debian-security bookworm-security main\n");
  fs::copy_file("/etc/resolv.conf", Path("/etc/resolv.conf"), fs::copy_options::overwrite_existing, ec);
  if (ec) return "cannot copy /etc/resolv.conf into the root: " + ec.message();
  return "";
}

testing::CommandResult DebianRoot::Run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  std::vector<std::string> full = {"chroot", dir_.string(), "env", "DEBIAN_FRONTEND=noninteractive", "LC_ALL=C",
                                   "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
  full.insert(full.end(), argv.begin(), argv.end());
  return RunCommand(full, {}, "", timeout);
}

std::string DebianRoot::Remove() {
  std::error_code ec;
  if (top_.empty() || !fs::exists(top_, ec)) return "";
  std::string root = fs::weakly_canonical(top_).string();
  Status unmounted = UnmountAllUnder(root);
  std::vector<std::string> left = CurrentMountPointsUnder(root);
  if (!left.empty()) {
    // Never delete through a mount: leave the root for a person to look at.
    return "still mounted below " + root + ": " + left.front() + " (" + unmounted.ToString() + ")";
  }
  auto r = RunCommand({"rm", "-rf", "--one-file-system", root}, {}, "", std::chrono::minutes(5));
  if (r.exit_code != 0) return "cannot remove " + root + ": " + r.err;
  return "";
}

}  // namespace moor::package_test
