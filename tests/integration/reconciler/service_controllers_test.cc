// The ClusterIP allocator, the Endpoints controller and the PodBinder on real parts: a real SqliteStore file,
// the real watch, the real folder source. Every wait is bounded polling for a condition.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <thread>

#include "moor/common/ipv4_cidr.h"
#include "moor/reconciler/compute_endpoints.h"
#include "moor/reconciler/endpoints_controller.h"
#include "moor/reconciler/folder_source.h"
#include "moor/reconciler/pod_binder.h"
#include "moor/reconciler/service_ip_allocator.h"
#include "moor/store/sqlite_store.h"
#include "moor/testing/process.h"
#include "moor/testing/temp_dir.h"

namespace moor::reconciler {
namespace {

using manifests::Object;
using manifests::ObjectKey;
using moor::testing::TempDir;
using moor::testing::WaitFor;
using moor::testing::WriteFile;

ObjectKey Svc(const std::string& name) { return ObjectKey{"Service", "default", name}; }
ObjectKey Ep(const std::string& name) { return ObjectKey{"Endpoints", "default", name}; }

Object ServiceObject(const std::string& name, const std::string& spec_json) {
  Object svc = {{"apiVersion", "v1"}, {"kind", "Service"}, {"metadata", {{"name", name}, {"namespace", "default"}}}};
  svc["spec"] = Object::parse(spec_json);
  return svc;
}

Object WebService(const std::string& name) {
  return ServiceObject(name, R"({"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8000, "protocol": "TCP"}]})");
}

Object PodObject(const std::string& name, const std::string& app) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", {{"app", app}}}}},
          {"spec", {{"nodeName", "n1"}, {"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
}

class ServiceControllersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::SqliteStoreOptions options;
    options.path = dir_ / "state.db";
    auto store = store::OpenSqliteStore(options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  void TearDown() override {
    // Threads stop before the store goes.
    source_.reset();
    binder_.reset();
    endpoints_.reset();
    allocator_.reset();
    store_.reset();
  }

  void StartAllocator() {
    ServiceIPAllocatorOptions options;
    options.store = store_.get();
    auto allocator = ServiceIPAllocator::Start(options);
    ASSERT_TRUE(allocator.ok()) << allocator.status().ToString();
    allocator_ = std::move(*allocator);
  }

  void StartBinder() {
    PodBinderOptions options;
    options.store = store_.get();
    options.node_name = "n1";
    auto binder = PodBinder::Start(options);
    ASSERT_TRUE(binder.ok()) << binder.status().ToString();
    binder_ = std::move(*binder);
  }

  // A pod the binder has to place: spec.nodeName empty, or `node` if given.
  static Object PodOn(const std::string& name, const std::string& node) {
    Object pod = PodObject(name, "web");
    pod["spec"].erase("nodeName");
    if (!node.empty()) pod["spec"]["nodeName"] = node;
    return pod;
  }

  std::string NodeOf(const std::string& pod) {
    auto obj = Get(ObjectKey{"Pod", "default", pod});
    if (!obj) return "";
    const Object& node = manifests::FieldAt(*obj, "spec.nodeName");
    return node.is_string() ? node.get<std::string>() : "";
  }

  bool ScheduledEventFor(const std::string& pod) {
    store::ListOptions options;
    options.kind = "Event";
    auto events = store_->List(options);
    if (!events.ok()) return false;
    for (const store::Record& r : events->items) {
      if (manifests::FieldAt(r.object, "reason") == "Scheduled" &&
          manifests::FieldAt(r.object, "involvedObject.name") == pod) {
        return true;
      }
    }
    return false;
  }

  void StartEndpoints() {
    EndpointsControllerOptions options;
    options.store = store_.get();
    auto controller = EndpointsController::Start(options);
    ASSERT_TRUE(controller.ok()) << controller.status().ToString();
    endpoints_ = std::move(*controller);
  }

  std::optional<Object> Get(const ObjectKey& key) {
    auto record = store_->Get(key);
    if (!record.ok()) return std::nullopt;
    return record->object;
  }

  std::string ClusterIp(const std::string& service) {
    auto svc = Get(Svc(service));
    if (!svc) return "";
    const Object& ip = manifests::FieldAt(*svc, "spec.clusterIP");
    return ip.is_string() ? ip.get<std::string>() : "";
  }

  void Create(const Object& obj) {
    auto created = store_->Create(obj);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
  }

  // Sets a pod's IP and Ready condition as the node agent would.
  void SetPodStatus(const std::string& name, const std::string& ip, bool ready) {
    for (int attempt = 0; attempt < 10; ++attempt) {
      auto pod = Get(ObjectKey{"Pod", "default", name});
      ASSERT_TRUE(pod.has_value()) << name;
      (*pod)["status"] = {{"phase", "Running"},
                          {"podIP", ip},
                          {"conditions", {{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}};
      auto written = store_->UpdateStatus(*pod);
      if (written.ok()) return;
      ASSERT_EQ(written.status().code(), StatusCode::kConflict) << written.status().ToString();
    }
    FAIL() << "could not set the status of pod " << name;
  }

  // "ip,ip|ip,ip": the ready and not-ready addresses of an Endpoints (all subsets), "" if absent.
  std::string Addresses(const std::string& name) {
    auto ep = Get(Ep(name));
    if (!ep) return "";
    std::string ready;
    std::string not_ready;
    const Object& subsets = manifests::FieldAt(*ep, "subsets");
    if (subsets.is_array()) {
      for (const Object& s : subsets) {
        for (const Object& a : s.value("addresses", Object::array())) ready += (ready.empty() ? "" : ",") + a["ip"].get<std::string>();
        for (const Object& a : s.value("notReadyAddresses", Object::array())) {
          not_ready += (not_ready.empty() ? "" : ",") + a["ip"].get<std::string>();
        }
      }
    }
    return ready + "|" + not_ready;
  }

  std::vector<Object> EventsAbout(const std::string& service, const std::string& reason) {
    std::vector<Object> out;
    store::ListOptions options;
    options.kind = "Event";
    auto events = store_->List(options);
    if (!events.ok()) return out;
    for (const store::Record& r : events->items) {
      if (manifests::FieldAt(r.object, "involvedObject.name") == service && r.object.value("reason", "") == reason) {
        out.push_back(r.object);
      }
    }
    return out;
  }

  TempDir dir_{"svc-controllers"};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<ServiceIPAllocator> allocator_;
  std::unique_ptr<EndpointsController> endpoints_;
  std::unique_ptr<PodBinder> binder_;
  std::unique_ptr<FolderSource> source_;
};

TEST_F(ServiceControllersTest, AllocatesAClusterIpAndLeavesHeadlessAndExternalNameAlone) {
  StartAllocator();
  Create(ServiceObject("headless", R"({"clusterIP": "None", "selector": {"app": "web"}})"));
  Create(ServiceObject("external", R"({"type": "ExternalName", "externalName": "example.invalid"})"));
  Create(WebService("web"));
  ASSERT_TRUE(WaitFor([&] { return !ClusterIp("web").empty(); })) << "no ClusterIP allocated";

  Object web = *Get(Svc("web"));
  std::string ip = ClusterIp("web");
  auto address = ParseIpv4Address(ip);
  ASSERT_TRUE(address.ok()) << ip;
  EXPECT_TRUE(Ipv4Cidr::Parse("10.43.0.0/16")->ContainsAddress(*address)) << ip;
  EXPECT_NE(ip, "10.43.0.0");
  EXPECT_NE(ip, "10.43.0.1");
  EXPECT_NE(ip, "10.43.0.10");
  EXPECT_EQ(web["spec"]["clusterIPs"], Object::array({ip}));
  EXPECT_EQ(web["spec"]["ipFamilies"], Object::array({"IPv4"}));
  EXPECT_EQ(web["spec"]["ipFamilyPolicy"], "SingleStack");

  // One worker, keys in watch order: both were looked at before "web" was allocated.
  EXPECT_EQ(ClusterIp("headless"), "None");
  EXPECT_EQ(ClusterIp("external"), "");
}

TEST_F(ServiceControllersTest, FiftyServicesInABurstGetFiftyDifferentAddresses) {
  StartAllocator();
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([this, w] {
      for (int i = w; i < 50; i += 2) {
        auto created = store_->Create(WebService("s" + std::to_string(i)));
        EXPECT_TRUE(created.ok()) << created.status().ToString();
      }
    });
  }
  for (auto& t : writers) t.join();
  ASSERT_TRUE(WaitFor([&] {
    for (int i = 0; i < 50; ++i) {
      if (ClusterIp("s" + std::to_string(i)).empty()) return false;
    }
    return true;
  }, std::chrono::seconds(60))) << "not every Service got a ClusterIP";
  std::set<std::string> ips;
  for (int i = 0; i < 50; ++i) {
    std::string ip = ClusterIp("s" + std::to_string(i));
    EXPECT_TRUE(ips.insert(ip).second) << ip << " given twice";
    EXPECT_NE(ip, "10.43.0.1");
    EXPECT_NE(ip, "10.43.0.10");
  }
}

TEST_F(ServiceControllersTest, UserGivenAddressesOutsideOrTakenGetAWarningAndStay) {
  StartAllocator();
  Create(WebService("first"));
  ASSERT_TRUE(WaitFor([&] { return !ClusterIp("first").empty(); }));
  const std::string taken = ClusterIp("first");

  Object dup = WebService("dup");
  dup["spec"]["clusterIP"] = taken;
  Create(dup);
  Object outside = WebService("outside");
  outside["spec"]["clusterIP"] = "10.99.0.1";
  Create(outside);
  Object dns = WebService("dns");
  dns["spec"]["clusterIP"] = "10.43.0.10";  // reserved, but asking for it explicitly is fine
  Create(dns);

  ASSERT_TRUE(WaitFor([&] { return !EventsAbout("dup", "ClusterIPAlreadyAllocated").empty(); }));
  Object dup_event = EventsAbout("dup", "ClusterIPAlreadyAllocated").front();
  EXPECT_EQ(dup_event["type"], "Warning");
  std::string message = dup_event.value("message", "");
  EXPECT_NE(message.find(taken), std::string::npos) << message;
  EXPECT_NE(message.find("default/first"), std::string::npos) << message;

  ASSERT_TRUE(WaitFor([&] { return !EventsAbout("outside", "ClusterIPOutOfRange").empty(); }));
  message = EventsAbout("outside", "ClusterIPOutOfRange").front().value("message", "");
  EXPECT_NE(message.find("10.99.0.1"), std::string::npos) << message;
  EXPECT_NE(message.find("10.43.0.0/16"), std::string::npos) << message;

  // A valid user-given address gets its clusterIPs filled in.
  ASSERT_TRUE(WaitFor([&] { return manifests::FieldAt(*Get(Svc("dns")), "spec.clusterIPs") == Object::array({"10.43.0.10"}); }));
  EXPECT_EQ(ClusterIp("dup"), taken);
  EXPECT_EQ(ClusterIp("outside"), "10.99.0.1");
  EXPECT_EQ(ClusterIp("first"), taken);
  EXPECT_TRUE(EventsAbout("first", "ClusterIPAlreadyAllocated").empty());
  EXPECT_TRUE(EventsAbout("dns", "ClusterIPAlreadyAllocated").empty());
}

TEST_F(ServiceControllersTest, AnApplyWithoutTheAddressKeepsIt) {
  StartAllocator();
  Create(WebService("web"));
  ASSERT_TRUE(WaitFor([&] { return !ClusterIp("web").empty(); }));
  const std::string ip = ClusterIp("web");

  // What kubectl apply of the same manifest sends: no clusterIP, no clusterIPs.
  store::Transaction txn;
  store::WriteOp op;
  op.type = store::WriteOp::Type::kApply;
  op.object = WebService("web");
  op.object["spec"]["ipFamilies"] = Object::array({"IPv4"});
  op.object["spec"]["ipFamilyPolicy"] = "SingleStack";
  txn.ops.push_back(op);
  auto applied = store_->Commit(txn);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(applied->front().action, store::OpResult::Action::kUnchanged);
  EXPECT_EQ(ClusterIp("web"), ip);
}

// "30000,30001": the node ports of a Service's ports in order ("-" for one without).
std::string NodePorts(const std::optional<Object>& svc) {
  if (!svc) return "";
  std::string out;
  const Object& ports = manifests::FieldAt(*svc, "spec.ports");
  if (!ports.is_array()) return "";
  for (const Object& p : ports) {
    if (!out.empty()) out += ",";
    out += p.contains("nodePort") ? std::to_string(p["nodePort"].get<int>()) : "-";
  }
  return out;
}

TEST_F(ServiceControllersTest, NodePortsAreTheLowestFreeAndUserGivenOnesAreChecked) {
  StartAllocator();
  const char* two_ports = R"([{"name": "http", "port": 80, "protocol": "TCP"}, {"name": "dns", "port": 53, "protocol": "UDP"}])";
  Create(ServiceObject("given", std::string(R"({"type": "NodePort", "ports": [{"name": "a", "port": 80, "nodePort": 30000},)") +
                                    R"({"name": "b", "port": 81}]})"));
  ASSERT_TRUE(WaitFor([&] { return NodePorts(Get(Svc("given"))) == "30000,30001"; })) << NodePorts(Get(Svc("given")));
  Create(ServiceObject("np", std::string(R"({"type": "NodePort", "ports": )") + two_ports + "}"));
  ASSERT_TRUE(WaitFor([&] { return NodePorts(Get(Svc("np"))) == "30002,30003"; })) << NodePorts(Get(Svc("np")));
  Create(ServiceObject("lb", R"({"type": "LoadBalancer", "ports": [{"port": 443}]})"));
  Create(ServiceObject("clash", R"({"type": "NodePort", "ports": [{"port": 80, "nodePort": 30003}]})"));
  Create(ServiceObject("outside", R"({"type": "NodePort", "ports": [{"port": 80, "nodePort": 40000}]})"));
  Create(WebService("plain"));
  ASSERT_TRUE(WaitFor([&] { return NodePorts(Get(Svc("lb"))) == "30004"; })) << NodePorts(Get(Svc("lb")));
  ASSERT_TRUE(WaitFor([&] {
    return EventsAbout("clash", "NodePortAlreadyAllocated").size() == 1 && EventsAbout("outside", "NodePortOutOfRange").size() == 1;
  }));
  ASSERT_TRUE(WaitFor([&] { return !ClusterIp("plain").empty(); }));
  EXPECT_NE(EventsAbout("clash", "NodePortAlreadyAllocated")[0].value("message", "").find("default/np"), std::string::npos);
  EXPECT_EQ(NodePorts(Get(Svc("clash"))), "30003");    // left as is
  EXPECT_EQ(NodePorts(Get(Svc("outside"))), "40000");
  EXPECT_EQ(NodePorts(Get(Svc("plain"))), "-");        // ClusterIP Services get none
  EXPECT_EQ(NodePorts(Get(Svc("np"))), "30002,30003");

  // A freed node port is handed out again, lowest first.
  ASSERT_TRUE(store_->Delete(Svc("given")).ok());
  Create(ServiceObject("later", R"({"type": "NodePort", "ports": [{"port": 1}]})"));
  ASSERT_TRUE(WaitFor([&] { return NodePorts(Get(Svc("later"))) == "30000"; })) << NodePorts(Get(Svc("later")));
}

// The folder-sync fixture of the two keep-on-sync tests: web.yaml holds `service_yaml` and a
// ConfigMap; the folder source and the allocator run.
class FolderSyncedServiceTest : public ServiceControllersTest {
 protected:
  static std::string File(const std::string& service_yaml, const std::string& config_value) {
    return "---\n" + service_yaml + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  k: \"" +
           config_value + "\"\n";
  }

  void StartWith(const std::string& service_yaml) {
    service_yaml_ = service_yaml;
    WriteFile(dir_ / "manifests" / "web.yaml", File(service_yaml, "1"));
    FolderSourceOptions options;
    options.root = dir_ / "manifests";
    options.store = store_.get();
    options.debounce = std::chrono::milliseconds(50);
    auto source = FolderSource::Start(options);
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    source_ = std::move(*source);
    StartAllocator();
  }

  // A full resync finds no drift (nothing is written); then the file changes elsewhere (the
  // ConfigMap) and is synced. Returns each object's action in that sync, by kind.
  std::map<std::string, std::string> ResyncThenChangeTheConfigMap() {
    std::map<std::string, std::string> actions;
    int64_t rv = store_->CurrentResourceVersion();
    EXPECT_TRUE(source_->SyncAll().ok());
    EXPECT_EQ(store_->CurrentResourceVersion(), rv);
    WriteFile(dir_ / "manifests" / "web.yaml", File(service_yaml_, "2"));
    EXPECT_TRUE(source_->SyncAll().ok());
    store::SyncQuery query;
    query.source = "folder";
    query.path = "web.yaml";
    auto records = store_->ListSyncRecords(query);
    if (!records.ok() || records->empty()) return actions;
    EXPECT_EQ(records->front().result, "Applied");
    for (const store::ObjectOutcome& o : records->front().objects) actions[o.key.kind] = o.action;
    return actions;
  }

  std::string service_yaml_;
};

TEST_F(FolderSyncedServiceTest, AnUnchangedServiceFileKeepsTheAddress) {
  StartWith(
      "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n"
      "  ports:\n  - port: 80\n    targetPort: 8000\n");
  ASSERT_TRUE(WaitFor([&] { return !ClusterIp("web").empty(); }));
  const std::string ip = ClusterIp("web");
  auto actions = ResyncThenChangeTheConfigMap();
  EXPECT_EQ(actions["Service"], "unchanged");
  EXPECT_EQ(actions["ConfigMap"], "updated");
  EXPECT_EQ(ClusterIp("web"), ip);
}

TEST_F(FolderSyncedServiceTest, AnUnchangedNodePortServiceFileKeepsItsPorts) {
  StartWith(
      "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: NodePort\n  selector:\n    app: web\n"
      "  ports:\n  - name: http\n    port: 80\n    targetPort: 8000\n  - name: dns\n    port: 53\n    protocol: UDP\n");
  ASSERT_TRUE(WaitFor([&] { return NodePorts(Get(Svc("web"))) == "30000,30001"; })) << NodePorts(Get(Svc("web")));
  const std::string ip = ClusterIp("web");
  auto actions = ResyncThenChangeTheConfigMap();
  EXPECT_EQ(actions["Service"], "unchanged");
  EXPECT_EQ(NodePorts(Get(Svc("web"))), "30000,30001");
  EXPECT_EQ(ClusterIp("web"), ip);
}

TEST_F(ServiceControllersTest, EndpointsFollowPodsAndReadiness) {
  StartAllocator();
  StartEndpoints();
  Create(WebService("web"));
  Create(PodObject("a", "web"));
  Create(PodObject("b", "web"));
  Create(PodObject("db", "db"));
  ASSERT_TRUE(WaitFor([&] { return Get(Ep("web")).has_value(); })) << "no Endpoints created";
  EXPECT_EQ(Addresses("web"), "|");  // no pod has an IP yet

  SetPodStatus("a", "10.42.0.5", true);
  SetPodStatus("b", "10.42.0.6", false);
  SetPodStatus("db", "10.42.0.7", true);
  ASSERT_TRUE(WaitFor([&] { return Addresses("web") == "10.42.0.5|10.42.0.6"; })) << Addresses("web");

  Object ep = *Get(Ep("web"));
  EXPECT_TRUE(IsManagedEndpoints(ep));
  ASSERT_EQ(ep["subsets"].size(), 1u);
  EXPECT_EQ(ep["subsets"][0]["ports"], Object::parse(R"([{"port": 8000, "protocol": "TCP"}])"));
  EXPECT_EQ(ep["subsets"][0]["addresses"][0]["targetRef"]["name"], "a");
  EXPECT_EQ(ep["subsets"][0]["addresses"][0]["nodeName"], "n1");

  // Readiness flips move addresses both ways; a change that does not matter writes nothing.
  store::WatchOptions watch_options;
  watch_options.kind = "Endpoints";
  watch_options.from_rv = store_->CurrentResourceVersion();
  auto watcher = store_->Watch(watch_options);
  ASSERT_TRUE(watcher.ok());
  auto pod_a = *Get(ObjectKey{"Pod", "default", "a"});
  pod_a["metadata"]["annotations"] = {{"note", "irrelevant to the Endpoints"}};
  ASSERT_TRUE(store_->Update(pod_a).ok());
  SetPodStatus("b", "10.42.0.6", true);
  ASSERT_TRUE(WaitFor([&] { return Addresses("web") == "10.42.0.5,10.42.0.6|"; })) << Addresses("web");
  SetPodStatus("a", "10.42.0.5", false);
  ASSERT_TRUE(WaitFor([&] { return Addresses("web") == "10.42.0.6|10.42.0.5"; })) << Addresses("web");
  int writes = 0;
  while (true) {
    auto next = (*watcher)->Next(std::chrono::milliseconds(0));
    ASSERT_TRUE(next.ok());
    if (!next->has_value()) break;
    ++writes;
  }
  EXPECT_EQ(writes, 2) << "one write per readiness flip, none for the annotation";

  // A pod whose labels stop matching leaves; deleting a pod removes it.
  auto pod_b = *Get(ObjectKey{"Pod", "default", "b"});
  pod_b["metadata"]["labels"]["app"] = "other";
  ASSERT_TRUE(store_->Update(pod_b).ok());
  ASSERT_TRUE(WaitFor([&] { return Addresses("web") == "|10.42.0.5"; })) << Addresses("web");
  ASSERT_TRUE(store_->Delete(ObjectKey{"Pod", "default", "a"}).ok());
  ASSERT_TRUE(WaitFor([&] { return Addresses("web") == "|"; })) << Addresses("web");
}

// A ready pod being deleted gracefully (Terminating, still in the store while its node stops it)
// leaves its Services' Endpoints at once, as in Kubernetes.
TEST_F(ServiceControllersTest, ATerminatingPodLeavesTheEndpointsAtOnce) {
  StartEndpoints();
  Create(WebService("web"));
  Create(PodObject("a", "web"));
  Create(PodObject("b", "web"));
  SetPodStatus("a", "10.42.0.5", true);
  SetPodStatus("b", "10.42.0.6", true);
  ASSERT_TRUE(WaitFor([&] { return Addresses("web") == "10.42.0.5,10.42.0.6|"; })) << Addresses("web");
  store::DeleteOptions graceful;
  graceful.grace_period_seconds = 30;
  auto marked = store_->Delete(ObjectKey{"Pod", "default", "a"}, graceful);
  ASSERT_TRUE(marked.ok()) << marked.status().ToString();
  ASSERT_EQ(marked->action, store::OpResult::Action::kUpdated);
  ASSERT_TRUE(WaitFor([&] { return Addresses("web") == "10.42.0.6|"; })) << Addresses("web");
  EXPECT_TRUE(Get(ObjectKey{"Pod", "default", "a"}).has_value()) << "the pod is Terminating, not gone";
}

TEST_F(ServiceControllersTest, ServiceDeleteOrSelectorLossRemovesItsEndpoints) {
  StartEndpoints();
  Create(WebService("gone"));
  Create(WebService("unselected"));
  Create(PodObject("a", "web"));
  SetPodStatus("a", "10.42.0.5", true);
  ASSERT_TRUE(WaitFor([&] { return Addresses("gone") == "10.42.0.5|" && Addresses("unselected") == "10.42.0.5|"; }));

  ASSERT_TRUE(store_->Delete(Svc("gone")).ok());
  ASSERT_TRUE(WaitFor([&] { return !Get(Ep("gone")).has_value(); })) << "Endpoints of a deleted Service stayed";

  Object svc = *Get(Svc("unselected"));
  svc["spec"].erase("selector");
  ASSERT_TRUE(store_->Update(svc).ok());
  ASSERT_TRUE(WaitFor([&] { return !Get(Ep("unselected")).has_value(); })) << "Endpoints of a selectorless Service stayed";

  // A managed Endpoints deleted by hand comes back.
  Create(WebService("back"));
  ASSERT_TRUE(WaitFor([&] { return Addresses("back") == "10.42.0.5|"; }));
  ASSERT_TRUE(store_->Delete(Ep("back")).ok());
  ASSERT_TRUE(WaitFor([&] { return Addresses("back") == "10.42.0.5|"; })) << "not recreated";
}

TEST_F(ServiceControllersTest, HandWrittenEndpointsAreLeftAloneAndOrphansGoAtStart) {
  Create(ServiceObject("external-db", R"({"ports": [{"port": 5432}]})"));
  Object hand = Object::parse(R"({"apiVersion": "v1", "kind": "Endpoints",
    "metadata": {"name": "external-db", "namespace": "default"},
    "subsets": [{"addresses": [{"ip": "192.0.2.10"}], "ports": [{"port": 5432}]}]})");
  Create(hand);
  Object hand_no_service = hand;
  hand_no_service["metadata"]["name"] = "lonely";
  Create(hand_no_service);
  // Left behind by a Service deleted while moor was down.
  Object orphan = hand;
  orphan["metadata"]["name"] = "orphan";
  orphan["metadata"]["labels"] = {{kEndpointsManagedByLabel, kEndpointsManagedByValue}};
  Create(orphan);
  const std::string hand_rv = Get(Ep("external-db"))->at("metadata").value("resourceVersion", "");

  StartEndpoints();
  ASSERT_TRUE(WaitFor([&] { return !Get(Ep("orphan")).has_value(); })) << "orphaned managed Endpoints stayed";

  // Deleting the selectorless Service leaves its hand-written Endpoints. The Service watch
  // hands keys to the one worker in order: once "later" has Endpoints, the delete was seen.
  ASSERT_TRUE(store_->Delete(Svc("external-db")).ok());
  Create(WebService("later"));
  ASSERT_TRUE(WaitFor([&] { return Get(Ep("later")).has_value(); }));
  ASSERT_TRUE(Get(Ep("external-db")).has_value());
  EXPECT_EQ(Get(Ep("external-db"))->at("metadata").value("resourceVersion", ""), hand_rv);
  EXPECT_TRUE(Get(Ep("lonely")).has_value());
}

TEST_F(ServiceControllersTest, StartRejectsBadOptions) {
  ServiceIPAllocatorOptions options;
  EXPECT_FALSE(ServiceIPAllocator::Start(options).ok());
  options.store = store_.get();
  options.service_cidr = "10.43.0.1/16";
  auto bad = ServiceIPAllocator::Start(options);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("10.43.0.1/16"), std::string::npos) << bad.status().message();
  options.service_cidr = "10.43.0.0/16";
  options.reserved = {"10.43.0.x"};
  EXPECT_FALSE(ServiceIPAllocator::Start(options).ok());
  options.reserved = {};
  for (const char* range : {"30000", "32767-30000", "0-100", "30000-70000", "a-b", "30000-32767x"}) {
    options.node_port_range = range;
    auto rejected = ServiceIPAllocator::Start(options);
    ASSERT_FALSE(rejected.ok()) << range;
    EXPECT_NE(rejected.status().message().find(range), std::string::npos) << rejected.status().message();
  }
  EXPECT_FALSE(EndpointsController::Start(EndpointsControllerOptions{}).ok());
}

TEST_F(ServiceControllersTest, PodBinderBindsThePodsThereAtStartAndThoseCreatedLater) {
  Create(PodOn("waiting", ""));
  Create(PodOn("elsewhere", "n2"));
  StartBinder();
  EXPECT_TRUE(WaitFor([&] { return NodeOf("waiting") == "n1"; }));
  EXPECT_TRUE(WaitFor([&] { return ScheduledEventFor("waiting"); }));
  Create(PodOn("later", ""));
  EXPECT_TRUE(WaitFor([&] { return NodeOf("later") == "n1"; }));
  EXPECT_EQ(NodeOf("elsewhere"), "n2") << "a bound pod is left alone";
}

// On a never-written store the list is at resourceVersion 0, where a watch means "from now on":
// a pod created right after Start must not fall between the list and the watch.
TEST_F(ServiceControllersTest, PodBinderBindsAPodCreatedRightAfterStartingOnAnEmptyStore) {
  ASSERT_EQ(store_->CurrentResourceVersion(), 0);
  StartBinder();
  Create(PodOn("first", ""));
  EXPECT_TRUE(WaitFor([&] { return NodeOf("first") == "n1"; }));
}

TEST_F(ServiceControllersTest, PodBinderStartRejectsMissingOptions) {
  PodBinderOptions no_store;
  no_store.node_name = "n1";
  EXPECT_FALSE(PodBinder::Start(no_store).ok());
  PodBinderOptions no_node;
  no_node.store = store_.get();
  EXPECT_FALSE(PodBinder::Start(no_node).ok());
}

}  // namespace
}  // namespace moor::reconciler
