#include "container_config.h"

#include <functional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace moor::runtime {
namespace {

using ::testing::ElementsAre;

TEST(ResourceLimitsOfTest, Table) {
  struct Case {
    const char* name;
    const char* resources;  // the container's "resources"
    std::optional<std::uint64_t> shares;
    std::optional<std::int64_t> quota;
    std::optional<std::int64_t> memory;
  } cases[] = {
      {"none", R"({})", std::nullopt, std::nullopt, std::nullopt},
      {"cpu request", R"({"requests": {"cpu": "250m"}})", 256, std::nullopt, std::nullopt},
      {"whole cpu request", R"({"requests": {"cpu": "2"}})", 2048, std::nullopt, std::nullopt},
      {"cpu request as a number", R"({"requests": {"cpu": 0.5}})", 512, std::nullopt, std::nullopt},
      {"tiny cpu request: at least 2 shares", R"({"requests": {"cpu": "1m"}})", 2, std::nullopt, std::nullopt},
      {"zero cpu request: 2 shares", R"({"requests": {"cpu": "0"}})", 2, std::nullopt, std::nullopt},
      {"cpu limit: request defaults to it", R"({"limits": {"cpu": "500m"}})", 512, 50000, std::nullopt},
      {"cpu request and limit", R"({"requests": {"cpu": "100m"}, "limits": {"cpu": "2"}})", 102, 200000,
       std::nullopt},
      {"tiny cpu limit: at least 1 ms quota", R"({"limits": {"cpu": "1m"}})", 2, 1000, std::nullopt},
      {"memory limit", R"({"limits": {"memory": "128Mi"}})", std::nullopt, std::nullopt, 134217728},
      {"memory limit decimal", R"({"limits": {"memory": "1G"}})", std::nullopt, std::nullopt, 1000000000},
      {"memory request alone sets no limit", R"({"requests": {"memory": "1Gi"}})", std::nullopt, std::nullopt,
       std::nullopt},
      {"everything", R"({"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}})", 1024,
       100000, 1073741824},
  };
  for (const Case& c : cases) {
    Object container = {{"name", "app"}, {"resources", Object::parse(c.resources)}};
    auto limits = ResourceLimitsOf(container);
    ASSERT_TRUE(limits.ok()) << c.name << ": " << limits.status().ToString();
    EXPECT_EQ(limits->cpu_shares, c.shares) << c.name;
    EXPECT_EQ(limits->cpu_quota_us, c.quota) << c.name;
    EXPECT_EQ(limits->cpu_period_us, 100000u) << c.name;
    EXPECT_EQ(limits->memory_limit_bytes, c.memory) << c.name;
  }
  auto bad = ResourceLimitsOf(Object::parse(R"({"resources": {"limits": {"memory": "12xb"}}})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("12xb"), std::string::npos) << bad.status().message();
}

class BuildContainerSpecTest : public ::testing::Test {
 protected:
  BuildContainerSpecTest() {
    pod_ = Object::parse(R"({
      "apiVersion": "v1", "kind": "Pod",
      "metadata": {"name": "web", "namespace": "shop", "uid": "u-1"},
      "spec": {
        "volumes": [
          {"name": "data", "emptyDir": {}},
          {"name": "cfg", "configMap": {"name": "cfg"}},
          {"name": "sec", "secret": {"secretName": "creds"}},
          {"name": "host", "hostPath": {"path": "/srv/host"}}
        ],
        "containers": []
      }
    })");
    container_ = Object::parse(R"({"name": "app", "image": "busybox:1"})");
    image_ = Object::parse(R"({"config": {"User": "app:staff", "WorkingDir": "/srv"}})");
    volume_paths_ = {{"data", "/pods/u-1/volumes/data"},
                     {"cfg", "/pods/u-1/volumes/cfg"},
                     {"sec", "/pods/u-1/volumes/sec"},
                     {"host", "/srv/host"}};
    sandbox_ = SandboxFacts{"/run/netns/moor-abc", "web", "/pods/u-1/etc-hosts", "/pods/u-1/resolv.conf",
                            "/pods/u-1/hostname"};
  }

  StatusOr<ContainerSpec> Build() {
    return BuildContainerSpec(pod_, container_, image_, {"A=1"}, {"/bin/sh", "-c", "true"}, volume_paths_, sandbox_);
  }

  Object pod_;
  Object container_;
  Object image_;
  std::map<std::string, std::string> volume_paths_;
  SandboxFacts sandbox_;
};

std::string DescribeMounts(const std::vector<MountSpec>& mounts) {
  std::string out;
  for (const MountSpec& m : mounts) {
    out += m.destination + "<-" + m.source + (m.read_only ? " ro" : " rw") + " " + m.type + "\n";
  }
  return out;
}

TEST_F(BuildContainerSpecTest, BasicsAndMounts) {
  container_["volumeMounts"] = Object::parse(R"([
    {"name": "data", "mountPath": "/data"},
    {"name": "data", "mountPath": "/logs", "subPath": "logs/app"},
    {"name": "cfg", "mountPath": "/etc/cfg"},
    {"name": "sec", "mountPath": "/etc/sec", "readOnly": false},
    {"name": "cfg", "mountPath": "/etc/app.conf", "subPath": "app..conf"},
    {"name": "host", "mountPath": "/host", "readOnly": true}
  ])");
  auto spec = Build();
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->name, "app");
  EXPECT_THAT(spec->args, ElementsAre("/bin/sh", "-c", "true"));
  EXPECT_THAT(spec->env, ElementsAre("A=1"));
  EXPECT_EQ(spec->hostname, "web");
  EXPECT_EQ(spec->netns_path, "/run/netns/moor-abc");
  EXPECT_EQ(spec->working_dir, "/srv");
  EXPECT_EQ(spec->image_user, "app:staff");
  EXPECT_FALSE(spec->tty);
  EXPECT_EQ(DescribeMounts(spec->mounts),
            "/etc/hosts<-/pods/u-1/etc-hosts rw bind\n"
            "/etc/hostname<-/pods/u-1/hostname rw bind\n"
            "/etc/resolv.conf<-/pods/u-1/resolv.conf rw bind\n"
            "/data<-/pods/u-1/volumes/data rw bind\n"
            "/logs<-/pods/u-1/volumes/data/logs/app rw bind\n"
            "/etc/cfg<-/pods/u-1/volumes/cfg ro bind\n"
            "/etc/sec<-/pods/u-1/volumes/sec ro bind\n"
            "/etc/app.conf<-/pods/u-1/volumes/cfg/app..conf ro bind\n"
            "/host<-/srv/host ro bind\n");
}

TEST_F(BuildContainerSpecTest, SandboxFilesAreOptional) {
  sandbox_.hosts_file.clear();
  sandbox_.hostname_file.clear();
  auto spec = Build();
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(DescribeMounts(spec->mounts), "/etc/resolv.conf<-/pods/u-1/resolv.conf rw bind\n");
}

TEST_F(BuildContainerSpecTest, WorkingDir) {
  struct Case {
    const char* container_dir;  // "" = unset
    const char* image;
    const char* want;
  } cases[] = {
      {"/work", R"({"config": {"WorkingDir": "/srv"}})", "/work"},
      {"", R"({"config": {"WorkingDir": "/srv"}})", "/srv"},
      {"", R"({"config": {}})", "/"},
      {"", R"({})", "/"},
  };
  for (const Case& c : cases) {
    container_.erase("workingDir");
    if (std::string(c.container_dir).size() > 0) container_["workingDir"] = c.container_dir;
    image_ = Object::parse(c.image);
    auto spec = Build();
    ASSERT_TRUE(spec.ok()) << spec.status().ToString();
    EXPECT_EQ(spec->working_dir, c.want) << c.image;
  }
}

TEST_F(BuildContainerSpecTest, MountErrors) {
  struct Case {
    const char* mount;
    const char* error;
  } cases[] = {
      {R"({"name": "nope", "mountPath": "/x"})", "container app: volumeMount nope: volume not found"},
      {R"({"name": "data", "mountPath": "/x", "subPath": "../etc"})", "invalid subPath ../etc"},
      {R"({"name": "data", "mountPath": "/x", "subPath": "a/../../etc"})", "invalid subPath a/../../etc"},
      {R"({"name": "data", "mountPath": "/x", "subPath": ".."})", "invalid subPath .."},
      {R"({"name": "data", "mountPath": "/x", "subPath": "/etc"})", "invalid subPath /etc"},
  };
  for (const Case& c : cases) {
    container_["volumeMounts"] = Object::array({Object::parse(c.mount)});
    auto spec = Build();
    ASSERT_FALSE(spec.ok()) << c.mount;
    EXPECT_EQ(spec.status().code(), StatusCode::kInvalidArgument) << c.mount;
    EXPECT_NE(spec.status().message().find(c.error), std::string::npos) << spec.status().message();
  }
  container_.erase("volumeMounts");
  container_["resources"] = Object::parse(R"({"requests": {"cpu": "lots"}})");
  auto spec = Build();
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(BuildContainerSpecTest, SecurityContext) {
  struct Case {
    const char* name;
    const char* pod_sc;        // "" = none
    const char* container_sc;  // "" = none
    std::function<void(const SecurityOptions&)> check;
  } cases[] = {
      {"defaults: image user, no_new_privs", "", "",
       [](const SecurityOptions& s) {
         EXPECT_FALSE(s.run_as_user);
         EXPECT_FALSE(s.run_as_group);
         EXPECT_TRUE(s.supplemental_groups.empty());
         EXPECT_FALSE(s.privileged);
         EXPECT_FALSE(s.read_only_rootfs);
         EXPECT_TRUE(s.no_new_privileges);
         EXPECT_TRUE(s.capabilities_add.empty());
         EXPECT_TRUE(s.capabilities_drop.empty());
       }},
      {"pod level applies", R"({"runAsUser": 1000, "runAsGroup": 3000, "supplementalGroups": [4000, 4001], "fsGroup": 2000})",
       "",
       [](const SecurityOptions& s) {
         EXPECT_EQ(s.run_as_user, 1000u);
         EXPECT_EQ(s.run_as_group, 3000u);
         EXPECT_THAT(s.supplemental_groups, ElementsAre(4000u, 4001u, 2000u));
       }},
      {"container level wins", R"({"runAsUser": 1000, "runAsGroup": 3000})", R"({"runAsUser": 2000})",
       [](const SecurityOptions& s) {
         EXPECT_EQ(s.run_as_user, 2000u);
         EXPECT_EQ(s.run_as_group, 3000u);
       }},
      {"container level alone", "", R"({"runAsUser": 0, "runAsGroup": 0})",
       [](const SecurityOptions& s) {
         EXPECT_EQ(s.run_as_user, 0u);
         EXPECT_EQ(s.run_as_group, 0u);
       }},
      {"allowPrivilegeEscalation true", "", R"({"allowPrivilegeEscalation": true})",
       [](const SecurityOptions& s) { EXPECT_FALSE(s.no_new_privileges); }},
      {"allowPrivilegeEscalation false", "", R"({"allowPrivilegeEscalation": false})",
       [](const SecurityOptions& s) { EXPECT_TRUE(s.no_new_privileges); }},
      {"privileged allows escalation", "", R"({"privileged": true})",
       [](const SecurityOptions& s) {
         EXPECT_TRUE(s.privileged);
         EXPECT_FALSE(s.no_new_privileges);
       }},
      {"read-only root and capabilities", "",
       R"({"readOnlyRootFilesystem": true, "capabilities": {"add": ["NET_ADMIN", "CAP_SYS_TIME"], "drop": ["ALL"]}})",
       [](const SecurityOptions& s) {
         EXPECT_TRUE(s.read_only_rootfs);
         EXPECT_THAT(s.capabilities_add, ElementsAre("NET_ADMIN", "CAP_SYS_TIME"));
         EXPECT_THAT(s.capabilities_drop, ElementsAre("ALL"));
       }},
      {"container-only fields at pod level are ignored", R"({"privileged": true, "readOnlyRootFilesystem": true})", "",
       [](const SecurityOptions& s) {
         EXPECT_FALSE(s.privileged);
         EXPECT_FALSE(s.read_only_rootfs);
       }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    pod_["spec"].erase("securityContext");
    container_.erase("securityContext");
    if (std::string(c.pod_sc).size() > 0) pod_["spec"]["securityContext"] = Object::parse(c.pod_sc);
    if (std::string(c.container_sc).size() > 0) container_["securityContext"] = Object::parse(c.container_sc);
    auto spec = Build();
    ASSERT_TRUE(spec.ok()) << spec.status().ToString();
    c.check(spec->security);
    EXPECT_EQ(spec->image_user, "app:staff");
  }
}

TEST_F(BuildContainerSpecTest, TtyAndResources) {
  container_["tty"] = true;
  container_["resources"] = Object::parse(R"({"limits": {"cpu": "1", "memory": "64Mi"}})");
  auto spec = Build();
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_TRUE(spec->tty);
  EXPECT_EQ(spec->resources.cpu_quota_us, 100000);
  EXPECT_EQ(spec->resources.memory_limit_bytes, 64 * 1024 * 1024);
}

TEST(PodHostsFileTest, Content) {
  Object pod = Object::parse(R"({"metadata": {"name": "web"}, "spec": {"hostAliases": [
      {"ip": "127.0.0.1", "hostnames": ["foo.local", "bar.local"]},
      {"ip": "10.1.2.3", "hostnames": ["foo.remote"]}]}})");
  const std::string base =
      "# Kubernetes-managed hosts file (moor).\n"
      "127.0.0.1\tlocalhost\n"
      "::1\tlocalhost ip6-localhost ip6-loopback\n"
      "fe00::0\tip6-localnet\n"
      "fe00::0\tip6-mcastprefix\n"
      "fe00::1\tip6-allnodes\n"
      "fe00::2\tip6-allrouters\n";
  EXPECT_EQ(PodHostsFile(pod, "10.42.0.5", "web"), base +
                                                       "10.42.0.5\tweb\n"
                                                       "\n# Entries added by HostAliases.\n"
                                                       "127.0.0.1\tfoo.local\tbar.local\n"
                                                       "10.1.2.3\tfoo.remote\n");
  Object plain = Object::parse(R"({"metadata": {"name": "web"}, "spec": {}})");
  EXPECT_EQ(PodHostsFile(plain, "10.42.0.5", "web"), base + "10.42.0.5\tweb\n");
  EXPECT_EQ(PodHostsFile(plain, "", "web"), base);
}

TEST(PodResolvConfTest, Policies) {
  const std::string host =
      "# generated by the host\n"
      "nameserver 192.0.2.53\n"
      "nameserver 192.0.2.54\n"
      "search lan example.org\n"
      "options edns0 timeout:2\n";
  struct Case {
    const char* name;
    const char* spec;
    const char* want;
  } cases[] = {
      {"ClusterFirst is the default", R"({})",
       "nameserver 10.43.0.10\n"
       "search shop.svc.cluster.local svc.cluster.local cluster.local\n"
       "options ndots:5\n"},
      {"ClusterFirst", R"({"dnsPolicy": "ClusterFirst"})",
       "nameserver 10.43.0.10\n"
       "search shop.svc.cluster.local svc.cluster.local cluster.local\n"
       "options ndots:5\n"},
      {"ClusterFirstWithHostNet", R"({"dnsPolicy": "ClusterFirstWithHostNet"})",
       "nameserver 10.43.0.10\n"
       "search shop.svc.cluster.local svc.cluster.local cluster.local\n"
       "options ndots:5\n"},
      {"Default copies the host", R"({"dnsPolicy": "Default"})",
       "nameserver 192.0.2.53\n"
       "nameserver 192.0.2.54\n"
       "search lan example.org\n"
       "options edns0 timeout:2\n"},
      {"None with nothing", R"({"dnsPolicy": "None"})", ""},
      {"None with dnsConfig", R"({"dnsPolicy": "None", "dnsConfig": {
           "nameservers": ["192.0.2.1"], "searches": ["ns1.svc.cluster-domain.example", "my.dns.search.suffix"],
           "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}]}})",
       "nameserver 192.0.2.1\n"
       "search ns1.svc.cluster-domain.example my.dns.search.suffix\n"
       "options ndots:2 edns0\n"},
      // Kubernetes merges dnsConfig into the policy's config: duplicates are dropped and an
      // option of the same name replaces the earlier one.
      {"ClusterFirst merged with dnsConfig", R"({"dnsConfig": {
           "nameservers": ["192.0.2.1", "10.43.0.10"], "searches": ["my.dns.search.suffix", "cluster.local"],
           "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}]}})",
       "nameserver 10.43.0.10\n"
       "nameserver 192.0.2.1\n"
       "search shop.svc.cluster.local svc.cluster.local cluster.local my.dns.search.suffix\n"
       "options ndots:2 edns0\n"},
      {"Default merged with dnsConfig", R"({"dnsPolicy": "Default", "dnsConfig": {
           "options": [{"name": "timeout", "value": "5"}, {"name": "edns0"}, {"name": "attempts", "value": "3"}]}})",
       "nameserver 192.0.2.53\n"
       "nameserver 192.0.2.54\n"
       "search lan example.org\n"
       "options edns0 timeout:5 attempts:3\n"},
  };
  for (const Case& c : cases) {
    Object pod = {{"metadata", {{"name", "web"}, {"namespace", "shop"}}}, {"spec", Object::parse(c.spec)}};
    EXPECT_EQ(PodResolvConf(pod, "10.43.0.10", "cluster.local", host), c.want) << c.name;
  }
}

TEST(ContainerSpecHashTest, IgnoresProbesOnly) {
  const Object base = Object::parse(R"({"name": "app", "image": "busybox:1", "command": ["sleep", "1"],
      "env": [{"name": "A", "value": "1"}], "ports": [{"containerPort": 80}],
      "readinessProbe": {"tcpSocket": {"port": 80}}})");
  const std::string hash = ContainerSpecHash(base);
  EXPECT_EQ(hash.size(), 16u);
  EXPECT_EQ(hash, ContainerSpecHash(base));
  struct Case {
    const char* name;
    std::function<void(Object&)> change;
    bool same;
  } cases[] = {
      {"key order", [](Object& c) { c = Object::parse(c.dump()); }, true},
      {"readiness probe changed", [](Object& c) { c["readinessProbe"]["periodSeconds"] = 3; }, true},
      {"liveness probe added", [](Object& c) { c["livenessProbe"] = {{"exec", {{"command", {"true"}}}}}; }, true},
      {"startup probe added", [](Object& c) { c["startupProbe"] = {{"tcpSocket", {{"port", 80}}}}; }, true},
      {"probes removed", [](Object& c) { c.erase("readinessProbe"); }, true},
      {"imagePullPolicy", [](Object& c) { c["imagePullPolicy"] = "Always"; }, true},
      {"image", [](Object& c) { c["image"] = "busybox:2"; }, false},
      {"command", [](Object& c) { c["command"] = {"sleep", "2"}; }, false},
      {"args", [](Object& c) { c["args"] = {"x"}; }, false},
      {"env", [](Object& c) { c["env"][0]["value"] = "2"; }, false},
      {"ports", [](Object& c) { c["ports"][0]["containerPort"] = 81; }, false},
      {"volumeMounts", [](Object& c) { c["volumeMounts"] = Object::array({{{"name", "v"}, {"mountPath", "/v"}}}); },
       false},
      {"resources", [](Object& c) { c["resources"] = {{"limits", {{"cpu", "1"}}}}; }, false},
      {"securityContext", [](Object& c) { c["securityContext"] = {{"runAsUser", 1}}; }, false},
  };
  for (const Case& c : cases) {
    Object changed = base;
    c.change(changed);
    if (c.same) {
      EXPECT_EQ(ContainerSpecHash(changed), hash) << c.name;
    } else {
      EXPECT_NE(ContainerSpecHash(changed), hash) << c.name;
    }
  }
}

}  // namespace
}  // namespace moor::runtime
