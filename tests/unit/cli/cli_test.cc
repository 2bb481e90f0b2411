#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "describer.h"
#include "output.h"
#include "resource_args.h"
#include "server_config.h"
#include "yaml_writer.h"
#include "moor/testing/temp_dir.h"

namespace moor::cli {
namespace {

TEST(YamlWriterTest, WritesLikeKubectl) {
  auto obj = nlohmann::json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "resourceVersion": "42", "creationTimestamp": "2026-11-24T03:50:12Z",
                 "labels": {"app.kubernetes.io/name": "web"}, "annotations": {}},
    "spec": {"replicas": 2, "paused": false,
             "strategy": {"rollingUpdate": {"maxSurge": "25%"}},
             "template": {"spec": {"containers": [{"name": "web", "args": ["-p", "8080", "yes", ""],
                                                   "env": [{"name": "A", "value": "x: y"}]}]}}},
    "data": {"script": "line one\nline two\n", "nonl": "a\nb"}
  })");
  EXPECT_EQ(ToYaml(obj), R"(apiVersion: apps/v1
data:
  nonl: |-
    a
    b
  script: |
    line one
    line two
kind: Deployment
metadata:
  annotations: {}
  creationTimestamp: "2026-11-24T03:50:12Z"
  labels:
    app.kubernetes.io/name: web
  name: web
  resourceVersion: "42"
spec:
  paused: false
  replicas: 2
  strategy:
    rollingUpdate:
      maxSurge: 25%
  template:
    spec:
      containers:
      - args:
        - -p
        - "8080"
        - "yes"
        - ""
        env:
        - name: A
          value: 'x: y'
        name: web
)");
}

TEST(ResourceArgsTest, KubectlForms) {
  auto one = ParseResourceArgs({"deploy", "web", "api"});
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(one->front().kind->kind, "Deployment");
  EXPECT_EQ(one->front().names, (std::vector<std::string>{"web", "api"}));

  auto many = ParseResourceArgs({"deploy,svc,cm"});
  ASSERT_TRUE(many.ok());
  EXPECT_EQ(many->size(), 3u);
  EXPECT_EQ((*many)[1].kind->kind, "Service");

  auto slash = ParseResourceArgs({"deploy/web", "svc/web"});
  ASSERT_TRUE(slash.ok());
  EXPECT_EQ((*slash)[1].kind->kind, "Service");
  EXPECT_EQ((*slash)[1].names, std::vector<std::string>{"web"});

  auto all = ParseResourceArgs({"all"});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->front().kind->kind, "Pod");

  auto bad = ParseResourceArgs({"widgets"});
  EXPECT_EQ(bad.status().message(), "the server doesn't have a resource type \"widgets\"");
  EXPECT_FALSE(ParseResourceArgs({"deploy,svc", "web"}).ok());
}

TEST(OutputTest, TablesArePaddedAndPrefixed) {
  auto table = nlohmann::json::parse(R"({"columnDefinitions": [
      {"name": "Name", "priority": 0}, {"name": "Ready", "priority": 0}, {"name": "Images", "priority": 1}],
    "rows": [{"cells": ["web", "0/2", "busybox"], "object": {"metadata": {"namespace": "default"}}},
             {"cells": ["longer-name", "1/1", "nginx"], "object": {"metadata": {"namespace": "prod"}}}]})");
  std::string out;
  PrintTables({{manifests::FindKindByKind("Deployment"), table}}, {false, false, false}, out);
  EXPECT_EQ(out, "NAME          READY\nweb           0/2\nlonger-name   1/1\n");
  out.clear();
  PrintTables({{manifests::FindKindByKind("Deployment"), table}}, {true, true, true}, out);
  EXPECT_EQ(out,
            "NAMESPACE   NAME                          READY   IMAGES\n"
            "default     deployment.apps/web           0/2     busybox\n"
            "prod        deployment.apps/longer-name   1/1     nginx\n");
}

TEST(DescriberTest, GenericTreeAndEvents) {
  auto obj = nlohmann::json::parse(R"({"apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {"name": "settings", "namespace": "default", "labels": {"a": "1", "b": "2"},
                 "creationTimestamp": "2026-11-24T03:50:12Z"},
    "data": {"logLevel": "debug"}})");
  auto events = nlohmann::json::parse(R"({"items": [{"type": "Warning", "reason": "SyncFailed", "count": 3,
    "lastTimestamp": "2026-11-24T03:50:00Z", "source": {"component": "moor"}, "message": "bad"}]})");
  std::string out = Describe(obj, events, *ParseRfc3339("2026-11-24T03:51:00Z"));
  EXPECT_NE(out.find("Name:         settings\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Labels:       a=1\n              b=2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Data:\n  Log Level:  debug\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Warning  SyncFailed  60s (x3)  moor  bad"), std::string::npos) << out;
}

TEST(ServerConfigTest, ShippedConfigParsesToTheDefaults) {
  ServerConfig config;
  Status s = LoadServerConfig(MOOR_SOURCE_DIR "/packaging/config.yaml", config);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ServerConfig defaults;
  EXPECT_EQ(config.data_dir, defaults.data_dir);
  EXPECT_EQ(config.ManifestsDir(), "/var/lib/moor/manifests");
  EXPECT_EQ(config.listen, defaults.listen);
  EXPECT_EQ(config.resync_interval, defaults.resync_interval);
  EXPECT_EQ(config.service_cidr, defaults.service_cidr);
}

TEST(ServerConfigTest, ServiceNodePortRangeIsFirstDashLast) {
  testing::TempDir dir("config");
  ServerConfig config;
  EXPECT_EQ(config.service_node_port_range, "30000-32767");
  testing::WriteFile(dir / "ok.yaml", "serviceNodePortRange: 31000-31099\n");
  ASSERT_TRUE(LoadServerConfig(dir / "ok.yaml", config).ok());
  EXPECT_EQ(config.service_node_port_range, "31000-31099");
  for (const char* bad : {"31000", "31099-31000", "0-10", "30000-70000", "30000-32767x", "a-b"}) {
    testing::WriteFile(dir / "bad.yaml", std::string("serviceNodePortRange: \"") + bad + "\"\n");
    Status s = LoadServerConfig(dir / "bad.yaml", config);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.message().find("bad.yaml:1:1: serviceNodePortRange:"), std::string::npos) << s.message();
  }
}

TEST(ServerConfigTest, PodEgressIsOnByDefaultAndABoolean) {
  testing::TempDir dir("config");
  ServerConfig config;
  EXPECT_TRUE(config.pod_egress);
  testing::WriteFile(dir / "off.yaml", "podEgress: false\n");
  ASSERT_TRUE(LoadServerConfig(dir / "off.yaml", config).ok());
  EXPECT_FALSE(config.pod_egress);
  testing::WriteFile(dir / "bad.yaml", "\npodEgress: \"no\"\n");
  Status s = LoadServerConfig(dir / "bad.yaml", config);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("bad.yaml:2:1: podEgress: expected boolean"), std::string::npos) << s.message();
}

TEST(ServerConfigTest, PodForwardAcceptIsOnByDefaultAndABoolean) {
  testing::TempDir dir("config");
  ServerConfig config;
  EXPECT_TRUE(config.pod_forward_accept);
  testing::WriteFile(dir / "off.yaml", "podForwardAccept: false\n");
  ASSERT_TRUE(LoadServerConfig(dir / "off.yaml", config).ok());
  EXPECT_FALSE(config.pod_forward_accept);
  testing::WriteFile(dir / "bad.yaml", "podForwardAccept: 0\n");
  Status s = LoadServerConfig(dir / "bad.yaml", config);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("bad.yaml:1:1: podForwardAccept: expected boolean"), std::string::npos) << s.message();
}

TEST(ServerConfigTest, ServiceCidrMustBeACanonicalIpv4RangeOfSixteenOrMore) {
  testing::TempDir dir("config");
  ServerConfig config;
  testing::WriteFile(dir / "ok.yaml", "serviceCIDR: 10.96.0.0/12\n");
  ASSERT_TRUE(LoadServerConfig(dir / "ok.yaml", config).ok());
  EXPECT_EQ(config.service_cidr, "10.96.0.0/12");
  for (const char* bad : {"10.43.0.1/16", "10.43.0.0/30", "fd00::/108"}) {
    testing::WriteFile(dir / "bad.yaml", std::string("nodeName: a\nserviceCIDR: ") + bad + "\n");
    Status s = LoadServerConfig(dir / "bad.yaml", config);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.message().find("bad.yaml:2:1: serviceCIDR:"), std::string::npos) << s.message();
  }
}

TEST(ServerConfigTest, ErrorsNameTheLineAndKey) {
  testing::TempDir dir("config");
  testing::WriteFile(dir / "c.yaml", "listen: 127.0.0.1:7000\nresyncInterval: 90s\nlistne: x\n");
  ServerConfig config;
  Status s = LoadServerConfig(dir / "c.yaml", config);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("c.yaml:3:1: listne: unknown setting"), std::string::npos) << s.message();
  testing::WriteFile(dir / "d.yaml", "listen: 127.0.0.1:7000\nresyncInterval: 90s\n");
  ASSERT_TRUE(LoadServerConfig(dir / "d.yaml", config).ok());
  EXPECT_EQ(config.listen, "127.0.0.1:7000");
  EXPECT_EQ(config.resync_interval, std::chrono::seconds(90));
  EXPECT_EQ(ParseDuration("1h30m").value(), std::chrono::seconds(5400));
  EXPECT_FALSE(ParseDuration("5 minutes").ok());
}

}  // namespace
}  // namespace moor::cli
