// The pure helpers behind RuncRuntime: mountinfo parsing, overlay mount data, conmon's sync
// messages, the cgroup layout and the state directory record.
#include <unistd.h>

#include <filesystem>
#include <ostream>

#include <gtest/gtest.h>

#include "cgroups.h"
#include "conmon_launcher.h"
#include "container_dir.h"
#include "host_limits.h"
#include "mounts.h"
#include "moor/testing/temp_dir.h"

namespace moor::runtime {
namespace {

namespace fs = std::filesystem;

const char kMountinfo[] =
    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
    "100 22 0:50 / /var/lib/moor/c/abc/bundle/rootfs rw shared:50 - overlay overlay rw,lowerdir=/l\n"
    "101 100 0:51 / /var/lib/moor/c/abc/bundle/rootfs/proc rw - proc proc rw\n"
    "102 22 0:52 / /var/lib/moor/c/abc-2/bundle/rootfs rw - overlay overlay rw\n"
    "103 22 0:53 / /var/lib/moor/c/with\\040space/x rw - tmpfs tmpfs rw\n"
    "104 22 0:54 / /var/lib/moor/c/abc rw - tmpfs tmpfs rw\n"
    "short line\n";

struct MountCase {
  std::string name;
  std::string dir;
  std::vector<std::string> expected;
};

// Tests are named by case; print the name instead of the bytes.
void PrintTo(const MountCase& c, std::ostream* os) { *os << c.name; }

class MountPointsTest : public ::testing::TestWithParam<MountCase> {};

TEST_P(MountPointsTest, FindsMountsBelowDeepestFirst) {
  EXPECT_EQ(MountPointsUnder(kMountinfo, GetParam().dir), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, MountPointsTest,
    ::testing::Values(
        MountCase{"container",
                  "/var/lib/moor/c/abc",
                  {"/var/lib/moor/c/abc/bundle/rootfs/proc", "/var/lib/moor/c/abc/bundle/rootfs", "/var/lib/moor/c/abc"}},
        MountCase{"trailing_slash",
                  "/var/lib/moor/c/abc-2/",
                  {"/var/lib/moor/c/abc-2/bundle/rootfs"}},
        MountCase{"escaped_space", "/var/lib/moor/c/with space", {"/var/lib/moor/c/with space/x"}},
        MountCase{"nothing", "/srv", {}}),
    [](const ::testing::TestParamInfo<MountCase>& info) { return info.param.name; });

TEST(OverlayMountDataTest, LowerDirsTopFirst) {
  auto data = OverlayMountData({"/l/base", "/l/mid", "/l/top"}, "/s/upper", "/s/work");
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(*data, "lowerdir=/l/top:/l/mid:/l/base,upperdir=/s/upper,workdir=/s/work");
}

TEST(OverlayMountDataTest, RejectsWhatOverlayCannotExpress) {
  EXPECT_EQ(OverlayMountData({}, "/u", "/w").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OverlayMountData({"/l/a:b"}, "/u", "/w").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OverlayMountData({"/l/a"}, "/u,x", "/w").status().code(), StatusCode::kInvalidArgument);
  std::vector<std::string> many(100, "/var/lib/moor/images/layers/sha256/" + std::string(64, 'a'));
  auto too_long = OverlayMountData(many, "/u", "/w");
  EXPECT_EQ(too_long.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(too_long.status().message().find("100 layers"), std::string::npos);
}

struct SyncCase {
  std::string name;
  std::string line;
  int data;
  std::string message;
};

// Tests are named by case; print the name instead of the bytes.
void PrintTo(const SyncCase& c, std::ostream* os) { *os << c.name; }

class ConmonSyncTest : public ::testing::TestWithParam<SyncCase> {};

TEST_P(ConmonSyncTest, Parses) {
  auto msg = ParseConmonSyncMessage(GetParam().line);
  ASSERT_TRUE(msg.ok()) << msg.status().ToString();
  EXPECT_EQ(msg->data, GetParam().data);
  EXPECT_EQ(msg->message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ConmonSyncTest,
    ::testing::Values(SyncCase{"pid", R"({"data": 4242})", 4242, ""},
                      SyncCase{"error", R"({"data": -1, "message": "exec: \"nope\": not found\n"})", -1,
                               "exec: \"nope\": not found\n"},
                      SyncCase{"invalid_json_escape", "{\"data\": -1, \"message\": \"bad \\q escape\"}", -1,
                               "bad \\q escape"}),
    [](const ::testing::TestParamInfo<SyncCase>& info) { return info.param.name; });

TEST(ConmonSyncTest, GarbageIsAnError) { EXPECT_FALSE(ParseConmonSyncMessage("hello").ok()); }

TEST(CgroupHostTest, V1HierarchiesDeduplicatedAndRemoved) {
  testing::TempDir root("cgroup");
  for (const char* c : {"cpu,cpuacct", "memory", "pids"}) fs::create_directories(root / c / "moor/x/child");
  fs::create_symlink("cpu,cpuacct", root / "cpu");
  fs::create_symlink("cpu,cpuacct", root / "cpuacct");
  testing::WriteFile(root / "memory/memory.memsw.limit_in_bytes", "max\n");
  testing::WriteFile(root / "memory/moor/x/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
  CgroupHost host = CgroupHost::Detect(root.path().string());
  EXPECT_FALSE(host.v2());
  EXPECT_TRUE(host.memory_swap_supported());
  auto real = fs::canonical(root.path()).string();
  EXPECT_EQ(host.ContainerDirs("/moor/x"),
            (std::vector<std::string>{real + "/cpu,cpuacct/moor/x", real + "/memory/moor/x", real + "/pids/moor/x"}));
  EXPECT_EQ(host.OomKillCount("/moor/x"), 2u);
  EXPECT_EQ(host.OomKillCount("/moor/gone"), 0u);
  fs::remove(root / "memory/moor/x/memory.oom_control");  // cgroupfs files vanish with the directory
  ASSERT_TRUE(host.RemoveContainerDirs("/moor/x").ok());
  EXPECT_FALSE(fs::exists(root / "memory/moor/x"));
  EXPECT_FALSE(fs::exists(root / "pids/moor/x"));
  EXPECT_TRUE(fs::exists(root / "pids/moor"));
  EXPECT_TRUE(host.RemoveContainerDirs("/moor/x").ok());  // idempotent
  EXPECT_FALSE(host.RemoveContainerDirs("/").ok());
}

TEST(CgroupHostTest, V2UnifiedTree) {
  testing::TempDir root("cgroup");
  testing::WriteFile(root / "cgroup.controllers", "cpu memory pids\n");
  testing::WriteFile(root / "moor/x/memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
  testing::WriteFile(root / "moor/memory.swap.max", "max\n");
  CgroupHost host = CgroupHost::Detect(root.path().string());
  EXPECT_TRUE(host.v2());
  EXPECT_TRUE(host.memory_swap_supported());
  EXPECT_EQ(host.ContainerDirs("/moor/x"), (std::vector<std::string>{root.path().string() + "/moor/x"}));
  EXPECT_EQ(host.OomKillCount("/moor/x"), 1u);
}

TEST(ContainerDirTest, RecordRoundTrip) {
  testing::TempDir state("state");
  ContainerDir dir(state.path().string(), "c1");
  EXPECT_EQ(dir.ReadRecord().status().code(), StatusCode::kNotFound);
  fs::create_directories(dir.root());
  ContainerRecord r{"c1", "web", {{"pod", "p1"}}, "/logs/0.log", "/moor/c1", "2026-11-24T06:00:00Z", ""};
  ASSERT_TRUE(dir.WriteRecord(r).ok());
  auto back = dir.ReadRecord();
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->name, "web");
  EXPECT_EQ(back->labels, r.labels);
  EXPECT_EQ(back->log_path, "/logs/0.log");
  EXPECT_EQ(back->cgroup_path, "/moor/c1");
  EXPECT_EQ(back->created_at, r.created_at);
  EXPECT_EQ(back->started_at, "");
  EXPECT_EQ(dir.exit_file(), state.path().string() + "/c1/persist/exit");
}

TEST(HostLimitsTest, CapabilityMasksFromProcStatus) {
  const char status[] = "Name:\tmoor\nCapInh:\t0000000000000000\nCapEff:\t000001fffeffffff\n"
                        "CapBnd:\t000001ffffffffff\n";
  EXPECT_EQ(ParseCapabilityMask(status, "CapEff"), 0x000001fffeffffffull);
  EXPECT_EQ(ParseCapabilityMask(status, "CapBnd"), 0x000001ffffffffffull);
  EXPECT_EQ(ParseCapabilityMask(status, "CapAmb"), ~0ull);
  EXPECT_EQ(ParseCapabilityMask(status, "Cap"), ~0ull);
}

struct NofileCase {
  std::string name;
  std::uint64_t effective;
  std::uint64_t hard;
  std::uint64_t expected;
};
void PrintTo(const NofileCase& c, std::ostream* os) { *os << c.name; }

class NofileTest : public ::testing::TestWithParam<NofileCase> {};

TEST_P(NofileTest, Limit) {
  EXPECT_EQ(ContainerNofileLimit(GetParam().effective, GetParam().hard), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, NofileTest,
    ::testing::Values(NofileCase{"with_sys_resource", ~0ull, 1024, 1048576},
                      NofileCase{"without_sys_resource_low_hard", 0x000001fffeffffffull, 20000, 20000},
                      NofileCase{"without_sys_resource_high_hard", 0, 4u << 20, 1048576}),
    [](const ::testing::TestParamInfo<NofileCase>& info) { return info.param.name; });

}  // namespace
}  // namespace moor::runtime
