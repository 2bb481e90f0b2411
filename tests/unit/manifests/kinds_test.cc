#include <gtest/gtest.h>

#include "moor/manifests/kinds.h"
#include "moor/manifests/object.h"

namespace moor::manifests {
namespace {

TEST(Kinds, FindKindByApiVersionAndKind) {
  const KindInfo* deploy = FindKind("apps/v1", "Deployment");
  ASSERT_NE(deploy, nullptr);
  EXPECT_EQ(deploy->PreferredApiVersion(), "apps/v1");
  EXPECT_EQ(deploy->GroupResource(), "deployments.apps");
  EXPECT_EQ(FindKind("v1", "Pod")->GroupResource(), "pods");
  EXPECT_EQ(FindKind("autoscaling/v1", "HorizontalPodAutoscaler"), FindKind("autoscaling/v2", "HorizontalPodAutoscaler"));
  EXPECT_EQ(FindKind("autoscaling/v1", "HorizontalPodAutoscaler")->PreferredApiVersion(), "autoscaling/v2");
  EXPECT_EQ(FindKind("batch/v1beta1", "CronJob"), nullptr);
  EXPECT_EQ(FindKind("v1", "Deployment"), nullptr);
  EXPECT_EQ(FindKind("policy/v1", "PodDisruptionBudget"), nullptr);
}

TEST(Kinds, FindKindByNameAcceptsEveryKubectlSpelling) {
  struct Case {
    const char* name;
    const char* kind;
  };
  const Case cases[] = {
      {"po", "Pod"}, {"pods", "Pod"}, {"Pod", "Pod"}, {"POD", "Pod"}, {"svc", "Service"}, {"ep", "Endpoints"}, {"endpoints", "Endpoints"},
      {"cm", "ConfigMap"}, {"secret", "Secret"}, {"ns", "Namespace"}, {"pvc", "PersistentVolumeClaim"},
      {"quota", "ResourceQuota"}, {"limits", "LimitRange"}, {"ev", "Event"}, {"no", "Node"},
      {"deploy", "Deployment"}, {"deployments.apps", "Deployment"}, {"deployment.apps", "Deployment"},
      {"deployments.v1.apps", "Deployment"}, {"rs", "ReplicaSet"}, {"ds", "DaemonSet"}, {"sts", "StatefulSet"},
      {"jobs", "Job"}, {"jobs.batch", "Job"}, {"cj", "CronJob"}, {"ing", "Ingress"},
      {"ingresses.networking.k8s.io", "Ingress"}, {"hpa", "HorizontalPodAutoscaler"},
      {"horizontalpodautoscalers.autoscaling", "HorizontalPodAutoscaler"},
  };
  for (const Case& c : cases) {
    const KindInfo* k = FindKindByName(c.name);
    ASSERT_NE(k, nullptr) << c.name;
    EXPECT_EQ(k->kind, c.kind) << c.name;
  }
  EXPECT_EQ(FindKindByName("deployments.batch"), nullptr);
  EXPECT_EQ(FindKindByName("pdb"), nullptr);
  EXPECT_EQ(FindKindByName(""), nullptr);
}

TEST(Kinds, ScopeStatusAndResources) {
  EXPECT_FALSE(FindKindByKind("Namespace")->namespaced);
  EXPECT_FALSE(FindKindByKind("Node")->namespaced);
  EXPECT_TRUE(FindKindByKind("Pod")->namespaced);
  for (const char* no_status : {"ConfigMap", "Secret", "Event", "LimitRange", "Endpoints"}) {
    EXPECT_FALSE(FindKindByKind(no_status)->has_status) << no_status;
  }
  EXPECT_TRUE(FindKindByKind("Deployment")->has_status);
  EXPECT_EQ(FindKindByResource("batch", "cronjobs")->kind, "CronJob");
  EXPECT_EQ(FindKindByResource("", "cronjobs"), nullptr);
  EXPECT_EQ(SupportedKinds().size(), 19u);
  EXPECT_TRUE(FindKindByKind("Endpoints")->namespaced);
  EXPECT_EQ(FindKind("v1", "Endpoints")->GroupResource(), "endpoints");
  EXPECT_EQ(FindKindByKind("Endpoints")->singular, "endpoints");
}

TEST(Kinds, ServerPopulatedFields) {
  EXPECT_EQ(ServerPopulatedFields("Pod"), (std::vector<std::string>{"spec.nodeName"}));
  EXPECT_EQ(ServerPopulatedFields("Service"), (std::vector<std::string>{"spec.clusterIP", "spec.clusterIPs", "spec.ports[*].nodePort"}));
  EXPECT_TRUE(ServerPopulatedFields("Endpoints").empty());
}

TEST(Object, AccessorsNeverThrow) {
  Object o = Object::parse(R"({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "prod"}})");
  EXPECT_EQ(KeyOf(o).ToString(), "Deployment/prod/web");
  EXPECT_EQ(ApiVersionOf(o), "apps/v1");
  Object ns = Object::parse(R"({"kind": "Namespace", "metadata": {"name": "prod"}})");
  EXPECT_EQ(KeyOf(ns).ToString(), "Namespace/prod");
  Object bad = Object::parse(R"({"kind": 3, "metadata": []})");
  EXPECT_EQ(KindOf(bad), "");
  EXPECT_EQ(NameOf(bad), "");
  EXPECT_EQ(NameOf(Object("str")), "");
}

TEST(Kinds, FieldPathsWithEveryElement) {
  Object svc = Object::parse(R"({"spec": {"ports": [{"port": 80, "nodePort": 30000}, {"port": 53, "protocol": "UDP"}]}})");
  EXPECT_TRUE(HasFieldsAt(svc, "spec.ports[*].nodePort"));
  EXPECT_FALSE(HasFieldsAt(svc, "spec.ports[*].name"));
  EXPECT_FALSE(HasFieldsAt(svc, "spec.other[*].nodePort"));
  EXPECT_TRUE(HasFieldsAt(svc, "spec.ports"));
  Object erased = svc;
  EraseFieldsAt(erased, "spec.ports[*].nodePort");
  EXPECT_EQ(erased, Object::parse(R"({"spec": {"ports": [{"port": 80}, {"port": 53, "protocol": "UDP"}]}})"));
  EraseFieldsAt(erased, "spec.missing[*].nodePort");  // no error, nothing created
  EXPECT_FALSE(erased["spec"].contains("missing"));
}

TEST(Kinds, KeepFieldsAtMatchesElementsByIndexPortAndProtocol) {
  Object stored = Object::parse(R"({"spec": {"clusterIP": "10.43.0.2", "ports": [
      {"port": 80, "protocol": "TCP", "nodePort": 30000}, {"port": 53, "protocol": "UDP", "nodePort": 30001},
      {"port": 443, "nodePort": 30002}, {"port": 8080, "nodePort": 30003}]}})");
  Object input = Object::parse(R"({"spec": {"ports": [
      {"port": 80}, {"port": 53, "protocol": "TCP"}, {"port": 443, "nodePort": 31000}, {"port": 9090}, {"port": 1}]}})");
  Object out = input;
  KeepFieldsAt(out, stored, "spec.clusterIP");
  KeepFieldsAt(out, stored, "spec.ports[*].nodePort");
  EXPECT_EQ(out["spec"]["clusterIP"], "10.43.0.2");
  EXPECT_EQ(out["spec"]["ports"][0]["nodePort"], 30000);        // same port, protocol TCP by default
  EXPECT_FALSE(out["spec"]["ports"][1].contains("nodePort"));   // protocol changed
  EXPECT_EQ(out["spec"]["ports"][2]["nodePort"], 31000);        // the input's own value wins
  EXPECT_FALSE(out["spec"]["ports"][3].contains("nodePort"));   // another port at that index
  EXPECT_FALSE(out["spec"]["ports"][4].contains("nodePort"));   // no stored element
  Object no_ports = Object::parse(R"({"spec": {}})");
  KeepFieldsAt(no_ports, stored, "spec.ports[*].nodePort");
  EXPECT_EQ(no_ports, Object::parse(R"({"spec": {}})"));
}

}  // namespace
}  // namespace moor::manifests
