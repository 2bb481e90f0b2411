#include "moor/reconciler/compute_endpoints.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace moor::reconciler {
namespace {

using manifests::Object;

// A pod in `ns` with labels app=web, on node n1, uid "uid-<name>"; `ip` "" for none.
// `ready` sets the Ready condition; `extra` is merged into the pod (merge patch).
Object Pod(const std::string& name, const std::string& ip, bool ready, Object extra = Object::object(),
           const std::string& ns = "default") {
  Object pod = Object::parse(R"({"apiVersion": "v1", "kind": "Pod",
    "metadata": {"labels": {"app": "web"}},
    "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "busybox",
             "ports": [{"name": "http", "containerPort": 8080}, {"name": "dns", "containerPort": 5353, "protocol": "UDP"}]}]},
    "status": {"phase": "Running"}})");
  pod["metadata"]["name"] = name;
  pod["metadata"]["namespace"] = ns;
  pod["metadata"]["uid"] = "uid-" + name;
  if (!ip.empty()) pod["status"]["podIP"] = ip;
  pod["status"]["conditions"] = Object::array({{{"type", "Ready"}, {"status", ready ? "True" : "False"}}});
  pod.merge_patch(extra);
  return pod;
}

Object Service(const std::string& spec_json) {
  Object svc = Object::parse(R"({"apiVersion": "v1", "kind": "Service",
    "metadata": {"name": "web", "namespace": "default", "labels": {"team": "a"}}})");
  svc["spec"] = Object::parse(spec_json);
  return svc;
}

Object Addr(const std::string& ip, const std::string& pod) {
  return Object{{"ip", ip}, {"nodeName", "n1"},
                {"targetRef", {{"kind", "Pod"}, {"namespace", "default"}, {"name", pod}, {"uid", "uid-" + pod}}}};
}

struct Case {
  const char* name;
  std::string service_spec;
  std::vector<Object> pods;
  Object want_subsets;  // null: no subsets field
};

TEST(ComputeEndpoints, Table) {
  const std::string kSelectWeb = R"("selector": {"app": "web"}, "clusterIP": "10.43.0.5")";
  const std::string kOnePort = "{" + kSelectWeb + R"(, "ports": [{"port": 80, "targetPort": 8000, "protocol": "TCP"}]})";
  const std::string kNamedPorts = "{" + kSelectWeb + R"(, "ports": [
      {"name": "web", "port": 80, "targetPort": "http", "protocol": "TCP"},
      {"name": "dns", "port": 53, "targetPort": "dns", "protocol": "UDP"}]})";
  const Object kPort8000 = Object::array({{{"port", 8000}, {"protocol", "TCP"}}});
  const Case cases[] = {
      {"ready and not ready pods; the rest left out", kOnePort,
       {Pod("a", "10.42.0.6", true), Pod("b", "10.42.0.5", true), Pod("c", "10.42.0.7", false),
        Pod("other-labels", "10.42.0.8", true, {{"metadata", {{"labels", {{"app", "db"}}}}}}),
        Pod("other-ns", "10.42.0.9", true, Object::object(), "prod"),
        Pod("no-ip", "", true),
        Pod("terminating", "10.42.0.10", true, {{"metadata", {{"deletionTimestamp", "2026-01-01T00:00:00Z"}}}}),
        Pod("done", "10.42.0.11", true, {{"status", {{"phase", "Succeeded"}}}}),
        Pod("failed", "10.42.0.12", false, {{"status", {{"phase", "Failed"}}}})},
       Object::array({{{"addresses", {Addr("10.42.0.5", "b"), Addr("10.42.0.6", "a")}},
                       {"notReadyAddresses", {Addr("10.42.0.7", "c")}},
                       {"ports", kPort8000}}})},
      {"no pods: no subsets", kOnePort, {}, nullptr},
      {"no condition at all is not ready", kOnePort,
       {Pod("a", "10.42.0.6", true, {{"status", {{"conditions", nullptr}}}})},
       Object::array({{{"notReadyAddresses", {Addr("10.42.0.6", "a")}}, {"ports", kPort8000}}})},
      {"addresses sorted by IP as Kubernetes does (text order)", kOnePort,
       {Pod("a", "10.42.0.9", true), Pod("b", "10.42.0.10", true), Pod("c", "10.42.0.1", true)},
       Object::array({{{"addresses", {Addr("10.42.0.1", "c"), Addr("10.42.0.10", "b"), Addr("10.42.0.9", "a")}},
                       {"ports", kPort8000}}})},
      {"absent targetPort is the port", "{" + kSelectWeb + R"(, "ports": [{"port": 80}]})",
       {Pod("a", "10.42.0.6", true)},
       Object::array({{{"addresses", {Addr("10.42.0.6", "a")}}, {"ports", {{{"port", 80}, {"protocol", "TCP"}}}}}})},
      {"named target ports; a pod without a name is left out for that port; same port sets share a subset",
       kNamedPorts,
       {Pod("both", "10.42.0.5", true), Pod("both2", "10.42.0.6", false),
        Pod("http-only", "10.42.0.7", true,
            {{"spec", {{"containers", {{{"name", "c"}, {"ports", {{{"name", "http"}, {"containerPort", 9090}}}}}}}}}}),
        Pod("none", "10.42.0.8", true, {{"spec", {{"containers", {{{"name", "c"}}}}}}})},
       Object::array({{{"addresses", {Addr("10.42.0.5", "both")}},
                       {"notReadyAddresses", {Addr("10.42.0.6", "both2")}},
                       {"ports", {{{"name", "dns"}, {"port", 5353}, {"protocol", "UDP"}},
                                  {{"name", "web"}, {"port", 8080}, {"protocol", "TCP"}}}}},
                      {{"addresses", {Addr("10.42.0.7", "http-only")}},
                       {"ports", {{{"name", "web"}, {"port", 9090}, {"protocol", "TCP"}}}}}})},
      {"a named port must match the protocol too",
       "{" + kSelectWeb + R"(, "ports": [{"port": 53, "targetPort": "dns", "protocol": "TCP"}]})",
       {Pod("a", "10.42.0.6", true)}, nullptr},
      {"publishNotReadyAddresses: not ready and terminating pods are addresses",
       "{" + kSelectWeb + R"(, "publishNotReadyAddresses": true, "ports": [{"port": 80, "targetPort": 8000}]})",
       {Pod("a", "10.42.0.6", false),
        Pod("t", "10.42.0.7", true, {{"metadata", {{"deletionTimestamp", "2026-01-01T00:00:00Z"}}}})},
       Object::array({{{"addresses", {Addr("10.42.0.6", "a"), Addr("10.42.0.7", "t")}}, {"ports", kPort8000}}})},
      {"headless without ports lists addresses without ports",
       R"({"selector": {"app": "web"}, "clusterIP": "None"})", {Pod("a", "10.42.0.6", true)},
       Object::array({{{"addresses", {Addr("10.42.0.6", "a")}}}})},
      {"a non-headless Service without ports lists nothing", R"({"selector": {"app": "web"}})",
       {Pod("a", "10.42.0.6", true)}, nullptr},
      {"podIPs when podIP is missing", kOnePort,
       {Pod("a", "", true, {{"status", {{"podIPs", {{{"ip", "10.42.0.6"}}}}}}})},
       Object::array({{{"addresses", {Addr("10.42.0.6", "a")}}, {"ports", kPort8000}}})},
  };
  for (const Case& c : cases) {
    Object svc = Service(c.service_spec);
    Object got = ComputeEndpoints(svc, c.pods);
    EXPECT_EQ(got["apiVersion"], "v1") << c.name;
    EXPECT_EQ(got["kind"], "Endpoints") << c.name;
    EXPECT_EQ(got["metadata"]["name"], "web") << c.name;
    EXPECT_EQ(got["metadata"]["namespace"], "default") << c.name;
    if (c.want_subsets.is_null()) {
      EXPECT_FALSE(got.contains("subsets")) << c.name << ": " << got.dump();
    } else {
      EXPECT_EQ(got["subsets"], c.want_subsets) << c.name << "\n got:  " << got["subsets"].dump()
                                                << "\n want: " << c.want_subsets.dump();
    }
    // The same pods in another order give the same object.
    std::vector<Object> reversed(c.pods.rbegin(), c.pods.rend());
    EXPECT_EQ(ComputeEndpoints(svc, reversed), got) << c.name;
  }
}

TEST(ComputeEndpoints, LabelsAreTheServicesPlusManagedBy) {
  Object svc = Service(R"({"selector": {"app": "web"}, "ports": [{"port": 80}]})");
  Object got = ComputeEndpoints(svc, {});
  EXPECT_EQ(got["metadata"]["labels"],
            (Object{{"team", "a"}, {"endpoints.kubernetes.io/managed-by", "endpoint-controller"}}));
  EXPECT_TRUE(IsManagedEndpoints(got));

  Object headless = Service(R"({"selector": {"app": "web"}, "clusterIP": "None"})");
  EXPECT_EQ(ComputeEndpoints(headless, {})["metadata"]["labels"]["service.kubernetes.io/headless"], "");
}

TEST(ComputeEndpoints, ManagedAndSameContent) {
  Object hand = Object::parse(R"({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "x", "labels": {"a": "b"}},
                                  "subsets": [{"addresses": [{"ip": "10.0.0.1"}]}]})");
  EXPECT_FALSE(IsManagedEndpoints(hand));
  EXPECT_FALSE(IsManagedEndpoints(Object::object()));

  Object stored = hand;
  stored["metadata"]["resourceVersion"] = "12";
  stored["metadata"]["annotations"] = {{"x", "y"}};
  EXPECT_TRUE(SameEndpointsContent(hand, stored));
  stored["subsets"][0]["addresses"][0]["ip"] = "10.0.0.2";
  EXPECT_FALSE(SameEndpointsContent(hand, stored));

  Object no_subsets = Object::parse(R"({"metadata": {}})");
  Object empty_subsets = Object::parse(R"({"metadata": {"labels": {}}, "subsets": []})");
  EXPECT_TRUE(SameEndpointsContent(no_subsets, empty_subsets));
  EXPECT_FALSE(SameEndpointsContent(no_subsets, hand));
}

TEST(ComputeEndpoints, ServiceSelector) {
  EXPECT_TRUE(ServiceSelector(Service(R"({})")).empty());
  EXPECT_TRUE(ServiceSelector(Service(R"({"selector": {}})")).empty());
  EXPECT_TRUE(ServiceSelector(Service(R"({"selector": null})")).empty());
  EXPECT_EQ(ServiceSelector(Service(R"({"selector": {"app": "web"}})")),
            (std::map<std::string, std::string>{{"app", "web"}}));
}

}  // namespace
}  // namespace moor::reconciler
