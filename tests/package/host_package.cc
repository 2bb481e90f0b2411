#include "host_package.h"

#include "moor/testing/process.h"

namespace moor::package_test {
namespace fs = std::filesystem;
using testing::RunCommand;

namespace {
std::string Query(const std::string& format) {
  auto r = RunCommand({"dpkg-query", "--show", "--showformat=" + format, "moor"});
  return r.exit_code == 0 ? r.out : "";
}
}  // namespace

HostPackage::~HostPackage() {
  if (installed_) Purge();
}

std::string HostPackage::CheckMachineIsClean() {
  std::string status = Status();
  if (!status.empty() && status != "unknown ok not-installed") {
    return "the moor package is on this machine already (" + status + "); this test installs and purges it. "
           "Remove it first: dpkg --purge moor";
  }
  std::error_code ec;
  for (const char* dir : {"/etc/moor", "/var/lib/moor"}) {
    if (fs::exists(dir, ec)) {
      return std::string(dir) + " exists; this test would purge it with the package. Move it away first.";
    }
  }
  return "";
}

std::string HostPackage::Install(const fs::path& deb) {
  installed_ = true;  // a half-done install is purged as well
  auto r = RunCommand({"dpkg", "--install", deb.string()}, {{"DEBIAN_FRONTEND", "noninteractive"}}, "",
                      std::chrono::minutes(5));
  if (r.exit_code != 0) return "dpkg --install " + deb.string() + " failed:\n" + r.out + r.err;
  return "";
}

std::string HostPackage::Purge() {
  auto r = RunCommand({"dpkg", "--purge", "moor"}, {{"DEBIAN_FRONTEND", "noninteractive"}}, "",
                      std::chrono::minutes(5));
  installed_ = false;
  if (r.exit_code != 0) return "dpkg --purge moor failed:\n" + r.out + r.err;
  return "";
}

std::string HostPackage::InstalledVersion() { return Query("${Version}"); }

std::string HostPackage::Status() { return Query("${Status}"); }

}  // namespace moor::package_test
