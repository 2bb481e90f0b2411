// The .deb as built by `make package` (here: the fixture test package_build_deb, cpack): lintian
// reports no error, and the package holds what Debian and the issue ask for.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "deb_files.h"
#include "moor/testing/process.h"

namespace moor::package_test {
namespace {

using testing::RunCommand;

TEST(DebPackageTest, LintianReportsNoErrors) {
  auto deb = BuiltDeb();
  ASSERT_TRUE(deb.ok()) << deb.status().ToString();
  auto r = RunCommand({"lintian", "--info", "--display-info", "--allow-root", deb->string()}, {}, "",
                      std::chrono::minutes(10));
  ASSERT_NE(r.exit_code, -1) << "lintian did not run (apt-get install lintian; make check installs it): " << r.err;
  std::cout << "---- lintian " << deb->filename().string() << " ----\n" << r.out << r.err;
  std::istringstream lines(r.out);
  std::string line;
  std::vector<std::string> errors;
  while (std::getline(lines, line)) {
    if (line.rfind("E: ", 0) == 0) errors.push_back(line);
  }
  EXPECT_TRUE(errors.empty()) << errors.size() << " lintian error(s), first: " << errors.front();
  EXPECT_TRUE(r.err.find("E: ") == std::string::npos) << r.err;
}

TEST(DebPackageTest, HoldsTheBinaryUnitConffileDocsAndCompletion) {
  auto deb = BuiltDeb();
  ASSERT_TRUE(deb.ok()) << deb.status().ToString();
  auto r = RunCommand({"dpkg-deb", "--contents", deb->string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> files;
  std::istringstream lines(r.out);
  std::string line;
  while (std::getline(lines, line)) {
    std::string path = line.substr(line.rfind(' ') + 1);
    if (!path.empty() && path.front() == '.') files.insert(path.substr(1));
  }
  for (const char* want : {"/usr/bin/moor", "/lib/systemd/system/moor.service", "/etc/moor/config.yaml",
                           "/usr/share/man/man1/moor.1.gz", "/usr/share/bash-completion/completions/moor",
                           "/usr/share/doc/moor/copyright", "/usr/share/doc/moor/changelog.gz"}) {
    EXPECT_TRUE(files.count(want)) << want << " missing from the package:\n" << r.out;
  }

  auto conffiles = RunCommand({"dpkg-deb", "--info", deb->string(), "conffiles"});
  EXPECT_EQ(conffiles.out, "/etc/moor/config.yaml\n");

  // Depends: the shared libraries (dpkg-shlibdeps), libcurl4 (dlopen'ed, named by hand) and the
  // programs moor runs.
  std::string depends = DebField(*deb, "Depends");
  for (const char* want : {"libc6", "libstdc++6", "libsqlite3-0", "libyaml-cpp0.7", "libcpprest2.10", "libcurl4 (",
                           "runc (", "conmon (", "containernetworking-plugins (", "nftables (", "conntrack (", "iproute2 (", "git"}) {
    EXPECT_NE(depends.find(want), std::string::npos) << "Depends lacks " << want << ": " << depends;
  }

  // The man page covers every verb (help2man over --help-all).
  auto man = RunCommand({"sh", "-c", "dpkg-deb --fsys-tarfile \"$0\" | tar -xOf - ./usr/share/man/man1/moor.1.gz | zcat",
                         deb->string()});
  ASSERT_EQ(man.exit_code, 0) << man.err;
  for (const char* verb : {"server", "get", "apply", "logs", "exec", "image", "completion", "/etc/moor/config.yaml"}) {
    EXPECT_NE(man.out.find(verb), std::string::npos) << "man page lacks " << verb;
  }
}

}  // namespace
}  // namespace moor::package_test
