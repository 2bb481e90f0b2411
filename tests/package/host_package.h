#pragma once

#include <filesystem>
#include <string>

namespace moor::package_test {

// The moor package installed on this machine for one test (dpkg -i). Refuses to start when moor
// is installed already or /etc/moor or /var/lib/moor exist (they are not the test's to
// remove). The destructor purges the package if the test installed it, so the machine is left
// as it was, also when the test failed. Callers hold dpkg's ctest RESOURCE_LOCK.
class HostPackage {
 public:
  HostPackage() = default;
  ~HostPackage();
  HostPackage(const HostPackage&) = delete;
  HostPackage& operator=(const HostPackage&) = delete;

  // "" if this machine has no trace of moor; else what is in the way.
  static std::string CheckMachineIsClean();

  // dpkg -i (first install or upgrade). Returns "" or dpkg's output.
  std::string Install(const std::filesystem::path& deb);
  // dpkg --purge. Returns "" or dpkg's output.
  std::string Purge();

  // The installed version ("" if not installed) and dpkg's status ("install ok installed", ...).
  static std::string InstalledVersion();
  static std::string Status();

 private:
  bool installed_ = false;
};

}  // namespace moor::package_test
