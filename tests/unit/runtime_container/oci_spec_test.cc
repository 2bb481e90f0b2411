#include "moor/runtime/oci_spec.h"

#include <algorithm>
#include <ostream>

#include <gtest/gtest.h>

namespace moor::runtime {
namespace {

using nlohmann::json;

ContainerSpec BasicSpec() {
  ContainerSpec spec;
  spec.id = "pod1-web";
  spec.name = "web";
  spec.args = {"/bin/httpd", "-f"};
  spec.env = {"A=1"};
  spec.working_dir = "/www";
  spec.hostname = "pod1";
  spec.rootfs_layers = {"/layers/a"};
  spec.log_path = "/logs/web/0.log";
  return spec;
}

json Build(const ContainerSpec& spec, OciSpecContext context = {}) {
  auto config = BuildOciSpec(spec, context);
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  return config.ok() ? *config : json();
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::vector<std::string> Destinations(const json& config) {
  std::vector<std::string> out;
  for (const auto& m : config["mounts"]) out.push_back(m["destination"]);
  return out;
}

const json* MountAt(const json& config, const std::string& destination) {
  for (const auto& m : config["mounts"]) {
    if (m["destination"] == destination) return &m;
  }
  return nullptr;
}

struct CapabilityCase {
  std::string name;
  bool privileged = false;
  std::vector<std::string> add;
  std::vector<std::string> drop;
  std::vector<std::string> expected;  // CAP_-prefixed, any order
};

// Tests are named by case; print the name instead of the bytes.
void PrintTo(const CapabilityCase& c, std::ostream* os) { *os << c.name; }

class CapabilityTest : public ::testing::TestWithParam<CapabilityCase> {};

TEST_P(CapabilityTest, ComputesTheSetLikeContainerd) {
  const auto& c = GetParam();
  SecurityOptions security;
  security.privileged = c.privileged;
  security.capabilities_add = c.add;
  security.capabilities_drop = c.drop;
  auto caps = ComputeCapabilities(security);
  ASSERT_TRUE(caps.ok()) << caps.status().ToString();
  EXPECT_EQ(Sorted(*caps), Sorted(c.expected));
}

std::vector<std::string> DefaultsWith(std::vector<std::string> extra, std::vector<std::string> without = {}) {
  std::vector<std::string> out;
  for (const auto& c : DefaultCapabilities()) {
    if (std::find(without.begin(), without.end(), c) == without.end()) out.push_back(c);
  }
  for (auto& e : extra) out.push_back(e);
  return out;
}

std::vector<std::string> AllWithout(std::vector<std::string> without) {
  std::vector<std::string> out;
  for (const auto& c : AllCapabilities()) {
    if (std::find(without.begin(), without.end(), c) == without.end()) out.push_back(c);
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(
    Table, CapabilityTest,
    ::testing::Values(
        CapabilityCase{"docker_default", false, {}, {}, DefaultsWith({})},
        CapabilityCase{"add_without_prefix", false, {"NET_ADMIN"}, {}, DefaultsWith({"CAP_NET_ADMIN"})},
        CapabilityCase{"add_with_prefix_lowercase", false, {"cap_sys_time"}, {}, DefaultsWith({"CAP_SYS_TIME"})},
        CapabilityCase{"drop_one", false, {}, {"NET_RAW"}, DefaultsWith({}, {"CAP_NET_RAW"})},
        CapabilityCase{"drop_all", false, {}, {"ALL"}, {}},
        CapabilityCase{"drop_all_add_one", false, {"NET_BIND_SERVICE"}, {"all"}, {"CAP_NET_BIND_SERVICE"}},
        CapabilityCase{"add_all", false, {"ALL"}, {}, AllCapabilities()},
        CapabilityCase{"add_all_drop_one", false, {"ALL"}, {"CAP_CHOWN"}, AllWithout({"CAP_CHOWN"})},
        CapabilityCase{"add_existing_is_no_duplicate", false, {"KILL"}, {}, DefaultsWith({})},
        CapabilityCase{"privileged_ignores_drop", true, {}, {"ALL"}, AllCapabilities()}),
    [](const ::testing::TestParamInfo<CapabilityCase>& info) { return info.param.name; });

TEST(CapabilityTest, UnknownCapabilityIsAnError) {
  SecurityOptions security;
  security.capabilities_add = {"NET_ADMINN"};
  auto caps = ComputeCapabilities(security);
  ASSERT_FALSE(caps.ok());
  EXPECT_EQ(caps.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(caps.status().message().find("NET_ADMINN"), std::string::npos);
}

TEST(CapabilityTest, DockerDefaultSetIsFourteenCapabilities) {
  EXPECT_EQ(DefaultCapabilities().size(), 14u);
  EXPECT_EQ(AllCapabilities().size(), 41u);
}

TEST(OciSpecTest, ProcessSection) {
  OciSpecContext context;
  context.user = {1000, 1000, {10, 20}};
  json config = Build(BasicSpec(), context);
  EXPECT_EQ(config["ociVersion"], "1.0.2");
  const json& p = config["process"];
  EXPECT_EQ(p["args"], json({"/bin/httpd", "-f"}));
  EXPECT_EQ(p["cwd"], "/www");
  EXPECT_EQ(p["terminal"], false);
  EXPECT_EQ(p["noNewPrivileges"], true);
  EXPECT_EQ(p["user"]["uid"], 1000);
  EXPECT_EQ(p["user"]["gid"], 1000);
  EXPECT_EQ(p["user"]["additionalGids"], json({10, 20}));
  EXPECT_EQ(p["rlimits"][0]["type"], "RLIMIT_NOFILE");
  EXPECT_EQ(p["rlimits"][0]["hard"], 1048576);
  EXPECT_EQ(p["rlimits"][0]["soft"], 1048576);
  EXPECT_FALSE(p.contains("oomScoreAdj"));
  // Bounding, effective and permitted only: no inheritable or ambient capabilities.
  EXPECT_EQ(Sorted(p["capabilities"]["bounding"]), Sorted(DefaultCapabilities()));
  EXPECT_EQ(p["capabilities"]["effective"], p["capabilities"]["bounding"]);
  EXPECT_EQ(p["capabilities"]["permitted"], p["capabilities"]["bounding"]);
  EXPECT_FALSE(p["capabilities"].contains("inheritable"));
  EXPECT_FALSE(p["capabilities"].contains("ambient"));
}

struct EnvCase {
  std::string name;
  std::vector<std::string> env;
  std::string hostname;
  std::vector<std::string> expected;
};

// Tests are named by case; print the name instead of the bytes.
void PrintTo(const EnvCase& c, std::ostream* os) { *os << c.name; }

class EnvTest : public ::testing::TestWithParam<EnvCase> {};

TEST_P(EnvTest, AddsPathAndHostnameWhenMissing) {
  ContainerSpec spec = BasicSpec();
  spec.env = GetParam().env;
  spec.hostname = GetParam().hostname;
  json config = Build(spec);
  EXPECT_EQ(config["process"]["env"], json(GetParam().expected));
}

const char kDefaultPath[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

INSTANTIATE_TEST_SUITE_P(
    Table, EnvTest,
    ::testing::Values(EnvCase{"empty", {}, "", {kDefaultPath}},
                      EnvCase{"hostname", {"A=1"}, "h", {kDefaultPath, "A=1", "HOSTNAME=h"}},
                      EnvCase{"own_path_kept", {"PATH=/app", "A=1"}, "", {"PATH=/app", "A=1"}},
                      EnvCase{"own_hostname_kept", {"PATH=/x", "HOSTNAME=mine"}, "h", {"PATH=/x", "HOSTNAME=mine"}},
                      EnvCase{"pathx_is_not_path", {"PATHX=1"}, "", {kDefaultPath, "PATHX=1"}}),
    [](const ::testing::TestParamInfo<EnvCase>& info) { return info.param.name; });

TEST(OciSpecTest, DefaultMountsInOrderThenSpecMountsParentsFirst) {
  ContainerSpec spec = BasicSpec();
  spec.mounts.push_back({"/data/cache/x", "/host/x", "bind", false, {}});
  spec.mounts.push_back({"/etc/hosts", "/pods/p/hosts", "bind", true, {}});
  spec.mounts.push_back({"/data/", "/host/data", "bind", false, {"nosuid"}});
  json config = Build(spec);
  EXPECT_EQ(Destinations(config),
            (std::vector<std::string>{"/proc", "/dev", "/dev/pts", "/sys", "/sys/fs/cgroup", "/dev/mqueue",
                                      "/dev/shm", "/data", "/etc/hosts", "/data/cache/x"}));
  const json* hosts = MountAt(config, "/etc/hosts");
  ASSERT_NE(hosts, nullptr);
  EXPECT_EQ((*hosts)["type"], "bind");
  EXPECT_EQ((*hosts)["source"], "/pods/p/hosts");
  EXPECT_EQ((*hosts)["options"], json({"rbind", "rprivate", "ro"}));
  EXPECT_EQ((*MountAt(config, "/data"))["options"], json({"rbind", "rprivate", "nosuid"}));
  EXPECT_EQ((*MountAt(config, "/dev/shm"))["options"],
            json({"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}));
  EXPECT_EQ((*MountAt(config, "/sys"))["options"], json({"nosuid", "noexec", "nodev", "ro"}));
  EXPECT_EQ((*MountAt(config, "/sys/fs/cgroup"))["options"].back(), "ro");
}

TEST(OciSpecTest, SpecMountReplacesDefaultAtSameDestination) {
  ContainerSpec spec = BasicSpec();
  spec.mounts.push_back({"/dev/shm", "tmpfs", "tmpfs", false, {"size=256m"}});
  json config = Build(spec);
  auto dest = Destinations(config);
  EXPECT_EQ(std::count(dest.begin(), dest.end(), "/dev/shm"), 1);
  EXPECT_EQ((*MountAt(config, "/dev/shm"))["options"], json({"size=256m"}));
  EXPECT_EQ((*MountAt(config, "/dev/shm"))["type"], "tmpfs");
}

TEST(OciSpecTest, RelativeMountDestinationIsRejected) {
  ContainerSpec spec = BasicSpec();
  spec.mounts.push_back({"data", "/host", "bind", false, {}});
  auto config = BuildOciSpec(spec, {});
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
}

TEST(OciSpecTest, EmptyArgsAreRejected) {
  ContainerSpec spec = BasicSpec();
  spec.args.clear();
  EXPECT_EQ(BuildOciSpec(spec, {}).status().code(), StatusCode::kInvalidArgument);
}

struct NamespaceCase {
  std::string name;
  std::string netns_path;
  bool cgroup_v2;
  json expected;
};

// Tests are named by case; print the name instead of the bytes.
void PrintTo(const NamespaceCase& c, std::ostream* os) { *os << c.name; }

class NamespaceTest : public ::testing::TestWithParam<NamespaceCase> {};

TEST_P(NamespaceTest, Namespaces) {
  ContainerSpec spec = BasicSpec();
  spec.netns_path = GetParam().netns_path;
  OciSpecContext context;
  context.cgroup_v2 = GetParam().cgroup_v2;
  EXPECT_EQ(Build(spec, context)["linux"]["namespaces"], GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, NamespaceTest,
    ::testing::Values(
        NamespaceCase{"own_network_v1", "", false,
                      json::parse(R"([{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},
                                      {"type":"network"}])")},
        NamespaceCase{"pod_network_v1", "/run/netns/pod1", false,
                      json::parse(R"([{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},
                                      {"type":"network","path":"/run/netns/pod1"}])")},
        NamespaceCase{"pod_network_v2", "/run/netns/pod1", true,
                      json::parse(R"([{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},
                                      {"type":"network","path":"/run/netns/pod1"},{"type":"cgroup"}])")}),
    [](const ::testing::TestParamInfo<NamespaceCase>& info) { return info.param.name; });

struct ResourceCase {
  std::string name;
  ResourceLimits limits;
  bool swap;
  json expected;
};

// Tests are named by case; print the name instead of the bytes.
void PrintTo(const ResourceCase& c, std::ostream* os) { *os << c.name; }

class ResourceTest : public ::testing::TestWithParam<ResourceCase> {};

TEST_P(ResourceTest, Resources) {
  ContainerSpec spec = BasicSpec();
  spec.resources = GetParam().limits;
  OciSpecContext context;
  context.memory_swap_supported = GetParam().swap;
  EXPECT_EQ(Build(spec, context)["linux"]["resources"], GetParam().expected);
}

ResourceLimits Limits(std::optional<std::uint64_t> shares, std::optional<std::int64_t> quota,
                      std::optional<std::int64_t> memory, std::optional<std::int64_t> pids) {
  ResourceLimits l;
  l.cpu_shares = shares;
  l.cpu_quota_us = quota;
  l.memory_limit_bytes = memory;
  l.pids_limit = pids;
  return l;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ResourceTest,
    ::testing::Values(
        ResourceCase{"none", Limits({}, {}, {}, {}), false,
                     json::parse(R"({"devices":[{"allow":false,"access":"rwm"}]})")},
        ResourceCase{"cpu_shares_only", Limits(512, {}, {}, {}), false,
                     json::parse(R"({"devices":[{"allow":false,"access":"rwm"}],"cpu":{"shares":512}})")},
        ResourceCase{"cpu_quota", Limits(102, 50000, {}, {}), false,
                     json::parse(R"({"devices":[{"allow":false,"access":"rwm"}],
                                     "cpu":{"shares":102,"quota":50000,"period":100000}})")},
        ResourceCase{"memory_no_swap_control", Limits({}, {}, 8388608, {}), false,
                     json::parse(R"({"devices":[{"allow":false,"access":"rwm"}],"memory":{"limit":8388608}})")},
        ResourceCase{"memory_swap_equals_limit", Limits({}, {}, 8388608, 100), true,
                     json::parse(R"({"devices":[{"allow":false,"access":"rwm"}],
                                     "memory":{"limit":8388608,"swap":8388608},"pids":{"limit":100}})")}),
    [](const ::testing::TestParamInfo<ResourceCase>& info) { return info.param.name; });

TEST(OciSpecTest, LinuxSectionAndRoot) {
  ContainerSpec spec = BasicSpec();
  spec.security.read_only_rootfs = true;
  spec.resources.oom_score_adj = 999;
  OciSpecContext context;
  context.cgroup_parent = "moor-test";
  context.rootfs_path = "/abs/rootfs";
  json config = Build(spec, context);
  EXPECT_EQ(config["linux"]["cgroupsPath"], "/moor-test/pod1-web");
  EXPECT_EQ(config["root"], json({{"path", "/abs/rootfs"}, {"readonly", true}}));
  EXPECT_EQ(config["hostname"], "pod1");
  EXPECT_EQ(config["process"]["oomScoreAdj"], 999);
  EXPECT_EQ(config["linux"]["readonlyPaths"],
            json({"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}));
  auto masked = config["linux"]["maskedPaths"].get<std::vector<std::string>>();
  for (const char* p : {"/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware", "/proc/acpi"}) {
    EXPECT_NE(std::find(masked.begin(), masked.end(), p), masked.end()) << p;
  }
}

TEST(OciSpecTest, PrivilegedHasAllCapabilitiesNoMaskedPathsAndAllDevices) {
  ContainerSpec spec = BasicSpec();
  spec.security.privileged = true;
  json config = Build(spec);
  EXPECT_EQ(config["process"]["capabilities"]["bounding"].size(), AllCapabilities().size());
  EXPECT_FALSE(config["linux"].contains("maskedPaths"));
  EXPECT_FALSE(config["linux"].contains("readonlyPaths"));
  EXPECT_EQ(config["linux"]["resources"]["devices"], json::parse(R"([{"allow":true,"access":"rwm"}])"));
  EXPECT_EQ((*MountAt(config, "/sys"))["options"], json({"nosuid", "noexec", "nodev"}));
}

TEST(OciSpecTest, AllowPrivilegeEscalationAndTty) {
  ContainerSpec spec = BasicSpec();
  spec.security.no_new_privileges = false;
  spec.tty = true;
  spec.hostname.clear();
  json config = Build(spec);
  EXPECT_EQ(config["process"]["noNewPrivileges"], false);
  EXPECT_EQ(config["process"]["terminal"], true);
  EXPECT_FALSE(config.contains("hostname"));
}

}  // namespace
}  // namespace moor::runtime
