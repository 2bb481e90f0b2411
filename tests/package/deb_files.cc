#include "deb_files.h"

#include <fstream>
#include <sstream>
#include <vector>

#include "moor/testing/process.h"

namespace moor::package_test {
namespace fs = std::filesystem;
using testing::RunCommand;

StatusOr<fs::path> BuiltDeb() {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(MOOR_DEB_DIR, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind("moor_", 0) == 0 && e.path().extension() == ".deb") found.push_back(e.path());
  }
  if (found.size() != 1) {
    return FailedPreconditionError(std::to_string(found.size()) + " moor_*.deb in " MOOR_DEB_DIR
                                   " (want one): the ctest fixture package_build_deb makes it (ctest -R package)");
  }
  return found.front();
}

std::string DebField(const fs::path& deb, const std::string& field) {
  auto r = RunCommand({"dpkg-deb", "--field", deb.string(), field});
  std::string v = r.out;
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
  return v;
}

StatusOr<fs::path> RepackWithVersion(const fs::path& deb, const std::string& version, const fs::path& out_dir) {
  fs::path tree = out_dir / "tree";
  std::error_code ec;
  fs::remove_all(tree, ec);
  auto r = RunCommand({"dpkg-deb", "--raw-extract", deb.string(), tree.string()});
  if (r.exit_code != 0) return InternalError("dpkg-deb --raw-extract " + deb.string() + ": " + r.err);
  fs::path control = tree / "DEBIAN" / "control";
  std::ifstream in(control);
  std::string updated, line;
  while (std::getline(in, line)) updated += (line.rfind("Version: ", 0) == 0 ? "Version: " + version : line) + "\n";
  in.close();
  std::ofstream(control, std::ios::trunc) << updated;
  fs::path out = out_dir / ("moor_" + version + "_" + DebField(deb, "Architecture") + ".deb");
  r = RunCommand({"dpkg-deb", "--root-owner-group", "--build", tree.string(), out.string()});
  if (r.exit_code != 0) return InternalError("dpkg-deb --build: " + r.err);
  fs::remove_all(tree, ec);
  return out;
}

std::vector<std::string> UnitExecStart(const fs::path& unit_file) {
  std::ifstream in(unit_file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("ExecStart=", 0) != 0) continue;
    std::istringstream words(line.substr(10));
    std::vector<std::string> argv;
    std::string w;
    while (words >> w) argv.push_back(w);
    return argv;
  }
  return {};
}

}  // namespace moor::package_test
