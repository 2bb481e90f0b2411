#include <gtest/gtest.h>

#include "moor/api/table.h"

namespace moor::api {
namespace {

// Objects are 5 minutes old at `kNow`.
const WallTime kNow = WallTime(std::chrono::seconds(1800000000));
const char* kCreated = "2027-01-15T07:55:00Z";  // 1800000000 s is 2027-01-15T08:00:00Z

std::vector<std::string> ColumnNames(const std::string& kind, bool wide) {
  std::vector<std::string> names;
  for (const auto& c : TableColumnsFor(kind)) {
    if (wide || c.priority == 0) names.push_back(c.name);
  }
  return names;
}

TEST(TableTest, DeploymentCells) {
  Object d = Object::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default"},
    "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web", "tier": "fe"}},
             "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"},
                                                  {"name": "side", "image": "busybox"}]}}},
    "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}})");
  d["metadata"]["creationTimestamp"] = kCreated;
  EXPECT_EQ(ColumnNames("Deployment", false), (std::vector<std::string>{"Name", "Ready", "Up-to-date", "Available", "Age"}));
  auto cells = TableCellsFor(d, kNow);
  ASSERT_EQ(cells.size(), 8u);
  EXPECT_EQ(cells[0], "web");
  EXPECT_EQ(cells[1], "2/3");
  EXPECT_EQ(cells[2], 3);
  EXPECT_EQ(cells[3], 2);
  EXPECT_EQ(cells[4], "5m");
  EXPECT_EQ(cells[5], "nginx,side");
  EXPECT_EQ(cells[6], "nginx:1.27,busybox");
  EXPECT_EQ(cells[7], "app=web,tier=fe");
}

TEST(TableTest, ServicePorts) {
  Object svc = Object::parse(R"({
    "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
    "spec": {"type": "NodePort", "clusterIP": "10.43.0.12", "selector": {"app": "web"},
             "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}]}})");
  auto cells = TableCellsFor(svc, kNow);
  EXPECT_EQ(ColumnNames("Service", false),
            (std::vector<std::string>{"Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age"}));
  EXPECT_EQ(cells[1], "NodePort");
  EXPECT_EQ(cells[2], "10.43.0.12");
  EXPECT_EQ(cells[3], "<none>");
  EXPECT_EQ(cells[4], "80:30080/TCP,53/UDP");
  EXPECT_EQ(cells[5], "<unknown>");  // no creationTimestamp
  EXPECT_EQ(cells[6], "app=web");

  Object lb = svc;
  lb["spec"]["type"] = "LoadBalancer";
  EXPECT_EQ(TableCellsFor(lb, kNow)[3], "<pending>");
}

TEST(TableTest, EndpointsAsKubectlPrintsThem) {
  EXPECT_EQ(ColumnNames("Endpoints", true), (std::vector<std::string>{"Name", "Endpoints", "Age"}));
  struct Case {
    const char* name;
    const char* subsets;  // JSON; "" for no subsets field
    const char* want;
  };
  const Case cases[] = {
      {"no subsets", "", "<none>"},
      {"only not-ready addresses", R"([{"notReadyAddresses": [{"ip": "10.42.0.5"}], "ports": [{"port": 8000}]}])",
       "<none>"},
      {"two ready", R"([{"addresses": [{"ip": "10.42.0.5"}, {"ip": "10.42.0.6"}],
                         "notReadyAddresses": [{"ip": "10.42.0.7"}], "ports": [{"port": 8000}]}])",
       "10.42.0.5:8000,10.42.0.6:8000"},
      {"three fit", R"([{"addresses": [{"ip": "10.42.0.5"}, {"ip": "10.42.0.6"}, {"ip": "10.42.0.7"}],
                         "ports": [{"port": 80}]}])",
       "10.42.0.5:80,10.42.0.6:80,10.42.0.7:80"},
      {"capped at three", R"([{"addresses": [{"ip": "10.42.0.5"}, {"ip": "10.42.0.6"}, {"ip": "10.42.0.7"},
                                             {"ip": "10.42.0.8"}, {"ip": "10.42.0.9"}], "ports": [{"port": 80}]}])",
       "10.42.0.5:80,10.42.0.6:80,10.42.0.7:80 + 2 more..."},
      {"each port of each subset counts",
       R"([{"addresses": [{"ip": "10.42.0.5"}, {"ip": "10.42.0.6"}], "ports": [{"name": "a", "port": 80}, {"name": "b", "port": 53}]},
           {"addresses": [{"ip": "10.42.0.7"}], "ports": [{"name": "a", "port": 81}]}])",
       "10.42.0.5:80,10.42.0.6:80,10.42.0.5:53 + 2 more..."},
      {"headless without ports", R"([{"addresses": [{"ip": "10.42.0.5"}]}])", "10.42.0.5"},
  };
  for (const Case& c : cases) {
    Object ep = Object::parse(R"({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "web"}})");
    ep["metadata"]["creationTimestamp"] = kCreated;
    if (*c.subsets != '\0') ep["subsets"] = Object::parse(c.subsets);
    auto cells = TableCellsFor(ep, kNow);
    ASSERT_EQ(cells.size(), 3u) << c.name;
    EXPECT_EQ(cells[0], "web") << c.name;
    EXPECT_EQ(cells[1], c.want) << c.name;
    EXPECT_EQ(cells[2], "5m") << c.name;
  }
}

TEST(TableTest, PodRestartsReadyAndStatus) {
  Object pod = Object::parse(R"({
    "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-1"},
    "spec": {"nodeName": "node1", "containers": [{"name": "a"}, {"name": "b"}]},
    "status": {"phase": "Running", "podIP": "10.42.0.7",
      "containerStatuses": [
        {"name": "a", "ready": true, "restartCount": 2, "state": {"running": {}},
         "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2027-01-15T07:58:00Z"}}},
        {"name": "b", "ready": false, "restartCount": 1,
         "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}})");
  EXPECT_EQ(ColumnNames("Pod", false), (std::vector<std::string>{"Name", "Ready", "Status", "Restarts", "Age"}));
  EXPECT_EQ(ColumnNames("Pod", true).size(), 9u);
  auto cells = TableCellsFor(pod, kNow);
  EXPECT_EQ(cells[1], "1/2");
  EXPECT_EQ(cells[2], "CrashLoopBackOff");
  EXPECT_EQ(cells[3], "3 (2m ago)");
  EXPECT_EQ(cells[5], "10.42.0.7");
  EXPECT_EQ(cells[6], "node1");
  EXPECT_EQ(cells[7], "<none>");

  Object fresh = Object::parse(R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                                   "spec": {"containers": [{"name": "a"}]}})");
  auto fresh_cells = TableCellsFor(fresh, kNow);
  EXPECT_EQ(fresh_cells[1], "0/1");
  EXPECT_EQ(fresh_cells[2], "Pending");
  EXPECT_EQ(fresh_cells[3], "0");
}

TEST(TableTest, OtherKinds) {
  Object cm = {{"kind", "ConfigMap"}, {"metadata", {{"name", "c"}}}, {"data", {{"a", "1"}, {"b", "2"}}}};
  EXPECT_EQ(TableCellsFor(cm, kNow)[1], 2);
  Object job = Object::parse(R"({"kind": "Job", "metadata": {"name": "j"}, "spec": {"completions": 3},
    "status": {"succeeded": 1, "startTime": "2027-01-15T07:58:00Z"}})");
  auto job_cells = TableCellsFor(job, kNow);
  EXPECT_EQ(job_cells[1], "Running");
  EXPECT_EQ(job_cells[2], "1/3");
  EXPECT_EQ(job_cells[3], "2m");
  Object hpa = Object::parse(R"({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
    "metadata": {"name": "h"},
    "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "minReplicas": 2, "maxReplicas": 5,
             "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]},
    "status": {"currentReplicas": 2, "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 35}}}]}})");
  auto hpa_cells = TableCellsFor(hpa, kNow);
  EXPECT_EQ(hpa_cells[1], "Deployment/web");
  EXPECT_EQ(hpa_cells[2], "cpu: 35%/80%");
  EXPECT_EQ(hpa_cells[3], "2");
  Object ev = Object::parse(R"({"kind": "Event", "metadata": {"name": "web.1"}, "type": "Warning", "reason": "SyncFailed",
    "message": " bad file \n", "involvedObject": {"kind": "Deployment", "name": "web"},
    "lastTimestamp": "2027-01-15T07:59:00Z", "firstTimestamp": "2027-01-15T07:50:00Z", "count": 3})");
  auto ev_cells = TableCellsFor(ev, kNow);
  std::vector<std::string> event_columns = ColumnNames("Event", false);
  EXPECT_EQ(event_columns, (std::vector<std::string>{"Last Seen", "Type", "Reason", "Object", "Message"}));
  EXPECT_EQ(ev_cells[0], "60s");
  EXPECT_EQ(ev_cells[3], "deployment/web");
  EXPECT_EQ(ev_cells[6], "bad file");
  EXPECT_EQ(ev_cells[8], 3);
}

TEST(TableTest, BuildTableShape) {
  Object ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "prod"}, {"uid", "u1"}}}};
  Object table = BuildTable("Namespace", {ns}, kNow, IncludeObject::kMetadata, "42");
  EXPECT_EQ(table["kind"], "Table");
  EXPECT_EQ(table["apiVersion"], "meta.k8s.io/v1");
  EXPECT_EQ(table["metadata"]["resourceVersion"], "42");
  ASSERT_EQ(table["columnDefinitions"].size(), 3u);
  EXPECT_EQ(table["columnDefinitions"][0]["name"], "Name");
  EXPECT_EQ(table["columnDefinitions"][0]["format"], "name");
  ASSERT_EQ(table["rows"].size(), 1u);
  EXPECT_EQ(table["rows"][0]["cells"], Object({"prod", "Active", "<unknown>"}));
  EXPECT_EQ(table["rows"][0]["object"]["kind"], "PartialObjectMetadata");
  EXPECT_EQ(table["rows"][0]["object"]["metadata"]["uid"], "u1");
  Object bare = BuildTable("Namespace", {ns}, kNow, IncludeObject::kNone, "");
  EXPECT_FALSE(bare["rows"][0].contains("object"));
}

}  // namespace
}  // namespace moor::api
