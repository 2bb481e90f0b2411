// A fresh Debian 12 root made with debootstrap: `apt-get install ./moor_*.deb` resolves every
// dependency from the archive; moor runs; the shipped config parses; the first start writes the
// root-only kubeconfig; the unit passes `systemd-analyze verify`; remove keeps the conffile and
// purge removes /etc/moor and /var/lib/moor. Needs root and deb.debian.org. The root (and its
// /proc mount) is removed afterwards, also when the test fails.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "deb_files.h"
#include "debian_root.h"
#include "moor/testing/process.h"

namespace moor::package_test {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

std::string Missing() {
  if (::geteuid() != 0) return "the install test needs root (debootstrap, chroot, mount)";
  for (const char* tool : {"/usr/sbin/debootstrap", "/usr/sbin/chroot"}) {
    if (::access(tool, X_OK) != 0) return std::string("the install test needs ") + tool + " (apt-get install debootstrap)";
  }
  return "";
}

TEST(DebootstrapInstallTest, FreshDebian12RootInstallsRunsRemovesAndPurges) {
  std::string missing = Missing();
  ASSERT_TRUE(missing.empty()) << missing;
  auto deb = BuiltDeb();
  ASSERT_TRUE(deb.ok()) << deb.status().ToString();

  DebianRoot root(MOOR_DEBOOTSTRAP_CACHE);
  std::string error = root.Create();
  ASSERT_TRUE(error.empty()) << error;
  std::string inside = "/tmp/" + deb->filename().string();
  fs::copy_file(*deb, root.Path(inside));

  auto r = root.Run({"apt-get", "update"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // systemd and man-db too, as on a server: systemd-analyze verify checks the unit and that its
  // Documentation=man:moor(1) resolves (systemd does not run in a chroot).
  r = root.Run({"apt-get", "install", "-y", inside, "systemd", "man-db"});
  ASSERT_EQ(r.exit_code, 0) << "apt-get install " << inside << " failed:\n" << r.out << r.err;

  r = root.Run({"moor", "version", "--client"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Client Version: v" + DebField(*deb, "Version") + "\n");
  r = root.Run({"moor", "server", "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("--check-config"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::is_regular_file(root.Path("/usr/share/bash-completion/completions/moor")));

  // The shipped config parses, and with no arguments the server uses the system paths.
  r = root.Run({"moor", "server", "--check-config"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("config /etc/moor/config.yaml is valid"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("manifests: /var/lib/moor/manifests"), std::string::npos) << r.out;

  // postinst made the directories and enabled the unit (systemd does not run here: not started).
  struct stat st {};
  ASSERT_EQ(::stat(root.Path("/var/lib/moor").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_TRUE(fs::is_directory(root.Path("/var/lib/moor/manifests")));
  EXPECT_TRUE(fs::is_symlink(root.Path("/etc/systemd/system/multi-user.target.wants/moor.service")));

  r = root.Run({"systemd-analyze", "verify", "/lib/systemd/system/moor.service"});
  EXPECT_EQ(r.exit_code, 0) << "systemd-analyze verify:\n" << r.out << r.err;

  // First start on the system paths (store and API only: no bridge or pods from a chroot):
  // the kubeconfig appears, root-only, and the client reaches the API with it by default.
  int port = testing::FreeLoopbackPort();
  {
    testing::ChildProcess server({"chroot", root.dir().string(), "/usr/bin/moor", "server", "--disable-agent",
                                  "--listen", "127.0.0.1:" + std::to_string(port)},
                                 (root.dir().parent_path() / "server.log").string());
    bool up = testing::WaitFor([&] { return root.Run({"moor", "get", "namespaces"}, seconds(20)).exit_code == 0; },
                               seconds(30));
    EXPECT_TRUE(up) << "moor server on the system paths did not come up:\n"
                    << testing::RunCommand({"tail", "-n", "40", (root.dir().parent_path() / "server.log").string()}).out;
    ASSERT_EQ(::stat(root.Path("/var/lib/moor/moor.kubeconfig").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(server.Stop(SIGTERM, seconds(20)), 0);
  }

  // remove: the program goes, the conffile and the data stay.
  r = root.Run({"apt-get", "remove", "-y", "moor"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_FALSE(fs::exists(root.Path("/usr/bin/moor")));
  EXPECT_TRUE(fs::is_regular_file(root.Path("/etc/moor/config.yaml")));
  EXPECT_TRUE(fs::exists(root.Path("/var/lib/moor/state.db")));
  r = root.Run({"dpkg-query", "--show", "--showformat=${Status}", "moor"});
  EXPECT_EQ(r.out, "deinstall ok config-files");

  // purge: /etc/moor and /var/lib/moor go with it.
  r = root.Run({"apt-get", "purge", "-y", "moor"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_FALSE(fs::exists(root.Path("/etc/moor")));
  EXPECT_FALSE(fs::exists(root.Path("/var/lib/moor")));
  EXPECT_FALSE(fs::exists(root.Path("/etc/systemd/system/multi-user.target.wants/moor.service")));
  r = root.Run({"dpkg-query", "--show", "--showformat=${Status}", "moor"});
  EXPECT_NE(r.out, "deinstall ok config-files");

  error = root.Remove();
  EXPECT_TRUE(error.empty()) << error;
}

}  // namespace
}  // namespace moor::package_test
