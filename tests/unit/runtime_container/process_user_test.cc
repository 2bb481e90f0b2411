#include "moor/runtime/process_user.h"

#include <filesystem>
#include <ostream>

#include <gtest/gtest.h>

#include "moor/testing/temp_dir.h"

namespace moor::runtime {
namespace {

const char kPasswd[] =
    "root:x:0:0:root:/root:/bin/sh\n"
    "# a comment\n"
    "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
    "broken line\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
    "app:x:1000:1001:App:/home/app:/bin/sh\n";

const char kGroup[] =
    "root:x:0:\n"
    "wheel:x:10:root,app\n"
    "staff:x:50:app\n"
    "app:x:1001:\n"
    "nogroup:x:65534:\n";

struct UserCase {
  std::string name;
  std::optional<std::uint32_t> run_as_user;
  std::optional<std::uint32_t> run_as_group;
  std::vector<std::uint32_t> supplemental;
  std::string image_user;
  ProcessUser expected;
};

// Tests are named by case; print the name instead of the bytes.
void PrintTo(const UserCase& c, std::ostream* os) { *os << c.name; }

class ResolveUserTest : public ::testing::TestWithParam<UserCase> {};

TEST_P(ResolveUserTest, Resolves) {
  const auto& c = GetParam();
  SecurityOptions security;
  security.run_as_user = c.run_as_user;
  security.run_as_group = c.run_as_group;
  security.supplemental_groups = c.supplemental;
  auto user = ResolveProcessUser(security, c.image_user, kPasswd, kGroup);
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  EXPECT_EQ(user->uid, c.expected.uid);
  EXPECT_EQ(user->gid, c.expected.gid);
  EXPECT_EQ(user->additional_gids, c.expected.additional_gids);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ResolveUserTest,
    ::testing::Values(
        UserCase{"empty_is_root", {}, {}, {}, "", {0, 0, {10}}},
        UserCase{"name", {}, {}, {}, "app", {1000, 1001, {10, 50}}},
        UserCase{"nobody", {}, {}, {}, "nobody", {65534, 65534, {}}},
        UserCase{"uid_with_entry_takes_primary_group", {}, {}, {}, "1000", {1000, 1001, {10, 50}}},
        UserCase{"uid_without_entry", {}, {}, {}, "4242", {4242, 0, {}}},
        UserCase{"uid_gid", {}, {}, {}, "1000:1000", {1000, 1000, {10, 50}}},
        UserCase{"name_groupname", {}, {}, {}, "app:staff", {1000, 50, {10}}},
        UserCase{"uid_groupname", {}, {}, {}, "4242:staff", {4242, 50, {}}},
        UserCase{"run_as_user_wins", 1000, {}, {}, "nobody", {1000, 1001, {10, 50}}},
        UserCase{"run_as_user_unknown_uid", 2000, {}, {}, "app", {2000, 0, {}}},
        UserCase{"run_as_group_wins", {}, 3000, {}, "app:staff", {1000, 3000, {10, 50}}},
        UserCase{"run_as_user_and_group", 1000, 5, {}, "", {1000, 5, {10, 50}}},
        UserCase{"supplemental_groups_appended_once", 1000, {}, {50, 7, 1001, 7}, "", {1000, 1001, {10, 50, 7}}}),
    [](const ::testing::TestParamInfo<UserCase>& info) { return info.param.name; });

TEST(ResolveUserTest, UnknownNamesAreNotFound) {
  SecurityOptions security;
  auto user = ResolveProcessUser(security, "ghost", kPasswd, kGroup);
  EXPECT_EQ(user.status().code(), StatusCode::kNotFound);
  EXPECT_NE(user.status().message().find("ghost"), std::string::npos);
  auto group = ResolveProcessUser(security, "app:ghosts", kPasswd, kGroup);
  EXPECT_EQ(group.status().code(), StatusCode::kNotFound);
  EXPECT_NE(group.status().message().find("ghosts"), std::string::npos);
}

TEST(ResolveUserTest, NoPasswdFileStillAllowsNumericIds) {
  SecurityOptions security;
  auto user = ResolveProcessUser(security, "1000:1000", "", "");
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->uid, 1000u);
  EXPECT_EQ(user->gid, 1000u);
  EXPECT_EQ(ResolveProcessUser(security, "app", "", "").status().code(), StatusCode::kNotFound);
}

TEST(ResolveUserInRootfsTest, ReadsEtcFilesInsideTheRootfs) {
  testing::TempDir dir("user");
  testing::WriteFile(dir / "rootfs/etc/passwd", kPasswd);
  testing::WriteFile(dir / "rootfs/etc/group", kGroup);
  SecurityOptions security;
  auto user = ResolveProcessUserInRootfs(security, "app", (dir / "rootfs").string());
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  EXPECT_EQ(user->uid, 1000u);
  EXPECT_EQ(user->gid, 1001u);
}

TEST(ResolveUserInRootfsTest, SymlinksResolveInsideTheRootfsNotOnTheHost) {
  testing::TempDir dir("user");
  // The image's /etc/passwd points at an absolute path; it must resolve to <rootfs>/other/passwd.
  testing::WriteFile(dir / "rootfs/other/passwd", "app:x:1234:1234::/:/bin/sh\n");
  testing::WriteFile(dir / "host/passwd", "app:x:1:1::/:/bin/sh\n");
  std::filesystem::create_directories(dir / "rootfs/etc");
  std::filesystem::create_symlink("/other/passwd", dir / "rootfs/etc/passwd");
  std::filesystem::create_symlink("../../host/passwd", dir / "rootfs/etc/group");
  SecurityOptions security;
  auto user = ResolveProcessUserInRootfs(security, "app", (dir / "rootfs").string());
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  EXPECT_EQ(user->uid, 1234u);
}

TEST(ResolveUserInRootfsTest, RootfsWithoutEtcRunsAsRoot) {
  testing::TempDir dir("user");
  std::filesystem::create_directories(dir / "rootfs/bin");
  auto user = ResolveProcessUserInRootfs(SecurityOptions{}, "", (dir / "rootfs").string());
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->uid, 0u);
  EXPECT_EQ(user->gid, 0u);
}

}  // namespace
}  // namespace moor::runtime
