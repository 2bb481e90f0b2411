#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "moor/common/status.h"

namespace moor::package_test {

// The .deb the fixture test `package_build_deb` made with cpack: the one moor_*.deb in
// MOOR_DEB_DIR. An error says how to make it when there is none (or more than one).
StatusOr<std::filesystem::path> BuiltDeb();

// One field of the package's control file (`dpkg-deb --field`), "" if absent.
std::string DebField(const std::filesystem::path& deb, const std::string& field);

// The same package with its Version set to `version` (the "newer build" of upgrade tests),
// written into `out_dir`; its files are byte-for-byte those of `deb`.
StatusOr<std::filesystem::path> RepackWithVersion(const std::filesystem::path& deb, const std::string& version,
                                                  const std::filesystem::path& out_dir);

// Splits the unit's ExecStart= line of a systemd unit file into argv ("" if there is none).
std::vector<std::string> UnitExecStart(const std::filesystem::path& unit_file);

}  // namespace moor::package_test
