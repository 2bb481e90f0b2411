// Strategic merge patches as kube-apiserver applies them (k8s.io/apimachinery strategicpatch),
// mostly in the form kubectl 1.32 sends them for apply, patch, edit and set image.
#include <gtest/gtest.h>

#include "moor/manifests/patch.h"

namespace moor::manifests {
namespace {

Object Deployment() {
  return Object::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"},
                 "finalizers": ["example.com/a", "example.com/b"]},
    "spec": {
      "replicas": 2,
      "selector": {"matchLabels": {"app": "web"}},
      "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
      "template": {
        "metadata": {"labels": {"app": "web", "tier": "front"}},
        "spec": {
          "containers": [
            {"name": "a", "image": "a:1", "ports": [{"containerPort": 80, "protocol": "TCP"}]},
            {"name": "b", "image": "b:1", "env": [{"name": "OLD", "value": "1"}, {"name": "KEEP", "value": "2"}],
             "volumeMounts": [{"name": "v", "mountPath": "/v"}]}
          ],
          "securityContext": {"runAsUser": 1000},
          "tolerations": [{"key": "k1", "operator": "Exists"}, {"key": "k2", "operator": "Exists"}],
          "volumes": [{"name": "v", "emptyDir": {}}, {"name": "w", "secret": {"secretName": "s"}}]
        }
      }
    },
    "status": {"conditions": [{"type": "Available", "status": "True"}, {"type": "Progressing", "status": "True"}]}
  })");
}

Object Smp(const Object& original, const char* patch) {
  StatusOr<Object> got = ApplyPatch(original, Object::parse(patch), PatchType::kStrategicMergePatch);
  EXPECT_TRUE(got.ok()) << got.status().ToString();
  return got.ok() ? *got : Object();
}

Status SmpError(const Object& original, const char* patch) {
  StatusOr<Object> got = ApplyPatch(original, Object::parse(patch), PatchType::kStrategicMergePatch);
  EXPECT_FALSE(got.ok()) << "patch " << patch << " applied: " << (got.ok() ? got->dump() : "");
  return got.ok() ? Status() : got.status();
}

const Object& PodSpec(const Object& deployment) { return deployment["spec"]["template"]["spec"]; }

// The names (or another field) of the elements of a list, in order.
std::vector<std::string> Names(const Object& list, const char* field = "name") {
  std::vector<std::string> out;
  for (const Object& e : list) out.push_back(e.value(field, std::string()));
  return out;
}
using Strings = std::vector<std::string>;

TEST(StrategicMergePatch, ApplyChangingOneContainerImageKeepsTheOthersAndTheirFields) {
  const Object original = Deployment();
  Object got = Smp(original, R"({"spec":{"template":{"spec":{
      "$setElementOrder/containers":[{"name":"a"},{"name":"b"}],
      "containers":[{"image":"x:2","name":"b"}]}}}})");
  Object want = original;
  want["spec"]["template"]["spec"]["containers"][1]["image"] = "x:2";
  EXPECT_EQ(got, want);
}

TEST(StrategicMergePatch, ApplyAddingAndRemovingContainers) {
  Object added = Smp(Deployment(), R"({"spec":{"template":{"spec":{
      "$setElementOrder/containers":[{"name":"a"},{"name":"c"},{"name":"b"}],
      "containers":[{"image":"c:1","name":"c"}]}}}})");
  EXPECT_EQ(Names(PodSpec(added)["containers"]), (Strings{"a", "c", "b"}));
  EXPECT_EQ(PodSpec(added)["containers"][1], Object::parse(R"({"image":"c:1","name":"c"})"));

  Object removed = Smp(Deployment(), R"({"spec":{"template":{"spec":{
      "$setElementOrder/containers":[{"name":"a"}],
      "containers":[{"$patch":"delete","name":"b"}]}}}})");
  EXPECT_EQ(Names(PodSpec(removed)["containers"]), (Strings{"a"}));
  EXPECT_EQ(PodSpec(removed)["containers"][0], Deployment()["spec"]["template"]["spec"]["containers"][0]);
}

TEST(StrategicMergePatch, ApplyAddingAndRemovingEnvVars) {
  Object added = Smp(Deployment(), R"({"spec":{"template":{"spec":{
      "$setElementOrder/containers":[{"name":"a"},{"name":"b"}],
      "containers":[{"$setElementOrder/env":[{"name":"OLD"},{"name":"NEW"},{"name":"KEEP"}],
                     "env":[{"name":"NEW","value":"3"}],"name":"b"}]}}}})");
  EXPECT_EQ(PodSpec(added)["containers"][1]["env"],
            Object::parse(R"([{"name":"OLD","value":"1"},{"name":"NEW","value":"3"},{"name":"KEEP","value":"2"}])"));

  Object removed = Smp(Deployment(), R"({"spec":{"template":{"spec":{
      "$setElementOrder/containers":[{"name":"a"},{"name":"b"}],
      "containers":[{"$setElementOrder/env":[{"name":"KEEP"}],
                     "env":[{"$patch":"delete","name":"OLD"}],"name":"b"}]}}}})");
  EXPECT_EQ(PodSpec(removed)["containers"][1]["env"], Object::parse(R"([{"name":"KEEP","value":"2"}])"));
  EXPECT_EQ(PodSpec(removed)["containers"][1]["volumeMounts"], Object::parse(R"([{"name":"v","mountPath":"/v"}])"));
}

TEST(StrategicMergePatch, ElementsAPatchAddsWithoutAnOrderComeFirstAsInKubernetes) {
  // kubectl patch -p '{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"c:1"}]}}}}':
  // kube-apiserver puts the new container in front of the live ones.
  Object got = Smp(Deployment(), R"({"spec":{"template":{"spec":{"containers":[{"name":"c","image":"c:1"}]}}}})");
  EXPECT_EQ(Names(PodSpec(got)["containers"]), (Strings{"c", "a", "b"}));
  // kubectl set image: the named container changes in place.
  got = Smp(Deployment(), R"({"spec":{"template":{"spec":{"containers":[{"name":"b","image":"b:2"}]}}}})");
  EXPECT_EQ(Names(PodSpec(got)["containers"]), (Strings{"a", "b"}));
  EXPECT_EQ(PodSpec(got)["containers"][1]["image"], "b:2");
  EXPECT_EQ(PodSpec(got)["containers"][1]["env"].size(), 2u);
}

TEST(StrategicMergePatch, ServerOnlyElementsKeepTheirPlaceAmongOrderedOnes) {
  Object original = Deployment();
  Object& containers = original["spec"]["template"]["spec"]["containers"];
  containers.insert(containers.begin() + 1, Object::parse(R"({"name":"sidecar","image":"s:1"})"));
  Object got = Smp(original, R"({"spec":{"template":{"spec":{
      "$setElementOrder/containers":[{"name":"a"},{"name":"b"}],
      "containers":[{"image":"b:2","name":"b"}]}}}})");
  EXPECT_EQ(Names(PodSpec(got)["containers"]), (Strings{"a", "sidecar", "b"}));
}

TEST(StrategicMergePatch, OrderWhenApplyAddsAndDeletesBesideAServerOnlyElement) {
  // Kubernetes reads the live order after deleting b and appending c in the same storage, so
  // it sees [a, sidecar, c] and puts the sidecar first (checked against kubectl 1.32's
  // strategicpatch with `kubectl patch --local`).
  Object original = Deployment();
  Object& containers = original["spec"]["template"]["spec"]["containers"];
  containers.insert(containers.begin() + 1, Object::parse(R"({"name":"sidecar","image":"s:1"})"));
  Object got = Smp(original, R"({"spec":{"template":{"spec":{
      "$setElementOrder/containers":[{"name":"c"},{"name":"a"}],
      "containers":[{"image":"c:1","name":"c"},{"$patch":"delete","name":"b"}]}}}})");
  EXPECT_EQ(Names(PodSpec(got)["containers"]), (Strings{"sidecar", "c", "a"}));
  // Without a deletion the sidecar keeps its place after a.
  got = Smp(original, R"({"spec":{"template":{"spec":{
      "$setElementOrder/containers":[{"name":"c"},{"name":"a"},{"name":"b"}],
      "containers":[{"image":"c:1","name":"c"}]}}}})");
  EXPECT_EQ(Names(PodSpec(got)["containers"]), (Strings{"c", "a", "sidecar", "b"}));
}

TEST(StrategicMergePatch, SetElementOrderReordersTheLiveList) {
  Object got = Smp(Deployment(), R"({"spec":{"template":{"spec":{
      "$setElementOrder/containers":[{"name":"b"},{"name":"a"}]}}}})");
  EXPECT_EQ(Names(PodSpec(got)["containers"]), (Strings{"b", "a"}));
  EXPECT_EQ(PodSpec(got)["containers"][0]["image"], "b:1");
}

TEST(StrategicMergePatch, ConfigMapKeyRemovedByNull) {
  Object cm = Object::parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},
                                "data":{"a":"1","b":"2"}})");
  Object got = Smp(cm, R"({"data":{"b":null,"c":"3"}})");
  EXPECT_EQ(got["data"], Object::parse(R"({"a":"1","c":"3"})"));
}

TEST(StrategicMergePatch, LabelAddedAndRemoved) {
  Object got = Smp(Deployment(), R"({"metadata":{"labels":{"tier":"web"}}})");
  EXPECT_EQ(got["metadata"]["labels"], Object::parse(R"({"app":"web","tier":"web"})"));
  got = Smp(Deployment(), R"({"metadata":{"labels":{"app":null}}})");
  EXPECT_EQ(got["metadata"]["labels"], Object::object());
}

TEST(StrategicMergePatch, FinalizersAreASet) {
  Object got = Smp(Deployment(), R"({"metadata":{
      "$deleteFromPrimitiveList/finalizers":["example.com/b"],
      "$setElementOrder/finalizers":["example.com/a"]}})");
  EXPECT_EQ(got["metadata"]["finalizers"], Object::parse(R"(["example.com/a"])"));

  got = Smp(Deployment(), R"({"metadata":{
      "$setElementOrder/finalizers":["example.com/a","example.com/b","example.com/c"],
      "finalizers":["example.com/c"]}})");
  EXPECT_EQ(got["metadata"]["finalizers"], Object::parse(R"(["example.com/a","example.com/b","example.com/c"])"));

  // Without an order: a value already there is not added twice; a new one goes first.
  got = Smp(Deployment(), R"({"metadata":{"finalizers":["example.com/a","example.com/c"]}})");
  EXPECT_EQ(got["metadata"]["finalizers"], Object::parse(R"(["example.com/a","example.com/c","example.com/b"])"));

  got = Smp(Deployment(), R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["example.com/a","nope"]}})");
  EXPECT_EQ(got["metadata"]["finalizers"], Object::parse(R"(["example.com/b"])"));
}

TEST(StrategicMergePatch, VolumeSwitchedFromEmptyDirToConfigMapWithRetainKeys) {
  Object got = Smp(Deployment(), R"({"spec":{"template":{"spec":{
      "$setElementOrder/volumes":[{"name":"v"},{"name":"w"}],
      "volumes":[{"$retainKeys":["configMap","name"],"configMap":{"name":"c"},"name":"v"}]}}}})");
  EXPECT_EQ(PodSpec(got)["volumes"],
            Object::parse(R"([{"name":"v","configMap":{"name":"c"}},{"name":"w","secret":{"secretName":"s"}}])"));
  // kubectl also sends the removed field as null; same result.
  Object with_null = Smp(Deployment(), R"({"spec":{"template":{"spec":{
      "$setElementOrder/volumes":[{"name":"v"},{"name":"w"}],
      "volumes":[{"$retainKeys":["configMap","name"],"configMap":{"name":"c"},"emptyDir":null,"name":"v"}]}}}})");
  EXPECT_EQ(with_null, got);
}

TEST(StrategicMergePatch, DeploymentStrategyRollingUpdateToRecreateWithRetainKeys) {
  Object got = Smp(Deployment(), R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}})");
  EXPECT_EQ(got["spec"]["strategy"], Object::parse(R"({"type":"Recreate"})"));
  // Without the directive the map merges and rollingUpdate stays.
  got = Smp(Deployment(), R"({"spec":{"strategy":{"type":"Recreate"}}})");
  EXPECT_TRUE(got["spec"]["strategy"].contains("rollingUpdate"));
}

TEST(StrategicMergePatch, RetainKeysAppliesWhereverThePatchHasIt) {
  // As in Kubernetes, the server does not check the field's strategy; kubectl only sends the
  // directive for retainKeys fields.
  Object got = Smp(Deployment(), R"({"spec":{"template":{"spec":{"securityContext":{"$retainKeys":["fsGroup"],"fsGroup":1}}}}})");
  EXPECT_EQ(PodSpec(got)["securityContext"], Object::parse(R"({"fsGroup":1})"));
}

TEST(StrategicMergePatch, PatchReplaceOnAMapAndInAList) {
  Object got = Smp(Deployment(), R"({"spec":{"template":{"metadata":{"labels":{"$patch":"replace","app":"web2"}}}}})");
  EXPECT_EQ(got["spec"]["template"]["metadata"]["labels"], Object::parse(R"({"app":"web2"})"));

  got = Smp(Deployment(), R"({"spec":{"template":{"spec":{
      "containers":[{"$patch":"replace"},{"name":"c","image":"c:1"}]}}}})");
  EXPECT_EQ(PodSpec(got)["containers"], Object::parse(R"([{"name":"c","image":"c:1"}])"));
}

TEST(StrategicMergePatch, PatchDeleteOnAMapRemovesIt) {
  Object got = Smp(Deployment(), R"({"spec":{"template":{"spec":{"securityContext":{"$patch":"delete"}}}}})");
  EXPECT_FALSE(PodSpec(got).contains("securityContext"));
  EXPECT_TRUE(PodSpec(got).contains("containers"));
}

TEST(StrategicMergePatch, PatchMergeIsTheDefault) {
  Object got = Smp(Deployment(), R"({"metadata":{"labels":{"$patch":"merge","tier":"web"}}})");
  EXPECT_EQ(got["metadata"]["labels"], Object::parse(R"({"app":"web","tier":"web"})"));
}

TEST(StrategicMergePatch, TolerationsAndOtherListsWithoutStrategyAreReplaced) {
  Object got = Smp(Deployment(), R"({"spec":{"template":{"spec":{
      "tolerations":[{"key":"k3","operator":"Exists"}],
      "containers":[{"name":"a","args":["--x"]}]}}}})");
  EXPECT_EQ(PodSpec(got)["tolerations"], Object::parse(R"([{"key":"k3","operator":"Exists"}])"));
  EXPECT_EQ(PodSpec(got)["containers"][0]["args"], Object::parse(R"(["--x"])"));
  EXPECT_EQ(PodSpec(got)["containers"][0]["ports"].size(), 1u);
}

TEST(StrategicMergePatch, ContainerPortsMergeByContainerPort) {
  Object got = Smp(Deployment(), R"({"spec":{"template":{"spec":{"containers":[
      {"name":"a","ports":[{"containerPort":80,"name":"http"},{"containerPort":443}]}]}}}})");
  EXPECT_EQ(PodSpec(got)["containers"][0]["ports"],
            Object::parse(R"([{"containerPort":80,"name":"http","protocol":"TCP"},{"containerPort":443}])"));
}

TEST(StrategicMergePatch, ServicePortsMergeByPortOnly) {
  Object svc = Object::parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},
      "spec":{"selector":{"app":"web"},"ports":[
        {"name":"http","port":80,"targetPort":8080},{"name":"https","port":443,"targetPort":8443}]}})");
  Object got = Smp(svc, R"({"spec":{"ports":[{"port":80,"targetPort":9090}]}})");
  EXPECT_EQ(got["spec"]["ports"], Object::parse(R"([{"name":"http","port":80,"targetPort":9090},
                                                   {"name":"https","port":443,"targetPort":8443}])"));

  // Two ports that differ only in protocol: Kubernetes matches the first one by port, so a
  // patch meant for the UDP port changes the TCP one. moor keeps that behaviour.
  Object dns = Object::parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"dns"},
      "spec":{"ports":[{"name":"tcp","port":53,"protocol":"TCP"},{"name":"udp","port":53,"protocol":"UDP"}]}})");
  got = Smp(dns, R"({"spec":{"ports":[{"port":53,"protocol":"UDP","targetPort":5353}]}})");
  EXPECT_EQ(got["spec"]["ports"], Object::parse(R"([{"name":"tcp","port":53,"protocol":"UDP","targetPort":5353},
                                                   {"name":"udp","port":53,"protocol":"UDP"}])"));
}

TEST(StrategicMergePatch, PodSpecInACronJobTemplateMergesLikeAPods) {
  Object cj = Object::parse(R"({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"c"},
      "spec":{"schedule":"* * * * *","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"Never",
        "containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]}}}}}})");
  Object got = Smp(cj, R"({"spec":{"jobTemplate":{"spec":{"template":{"spec":{
      "containers":[{"name":"b","image":"b:2"}]}}}}}})");
  EXPECT_EQ(got["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"],
            Object::parse(R"([{"name":"a","image":"a:1"},{"name":"b","image":"b:2"}])"));
}

TEST(StrategicMergePatch, StatusConditionsAndOwnerReferencesMergeByKey) {
  Object original = Deployment();
  original["metadata"]["ownerReferences"] =
      Object::parse(R"([{"apiVersion":"v1","kind":"X","name":"x","uid":"u1"}])");
  Object got = Smp(original, R"({
      "metadata":{"ownerReferences":[{"apiVersion":"v1","kind":"Y","name":"y","uid":"u2"}]},
      "status":{"conditions":[{"type":"Available","status":"False"}]}})");
  EXPECT_EQ(got["status"]["conditions"],
            Object::parse(R"([{"type":"Available","status":"False"},{"type":"Progressing","status":"True"}])"));
  EXPECT_EQ(Names(got["metadata"]["ownerReferences"], "uid"), (Strings{"u2", "u1"}));
}

TEST(StrategicMergePatch, UnknownKindFallsBackToMergePatch) {
  Object widget = Object::parse(R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},
      "spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}],"size":1}})");
  const char* patch = R"({"spec":{"containers":[{"name":"b","image":"b:2"}],"size":null,"$schema":"kept"}})";
  Object got = Smp(widget, patch);
  Object merge = widget;
  merge.merge_patch(Object::parse(patch));
  EXPECT_EQ(got, merge);
  EXPECT_EQ(got["spec"]["containers"], Object::parse(R"([{"name":"b","image":"b:2"}])"));
}

TEST(StrategicMergePatch, NewValuesAreCleanedOfNullsAndDirectives) {
  Object got = Smp(Deployment(), R"({"spec":{"template":{"spec":{
      "dnsConfig":{"nameservers":["1.2.3.4"],"searches":null},
      "initContainers":[{"name":"init","image":"i:1","env":[{"$patch":"delete","name":"X"},{"name":"Y","value":"y"}]}]}}}})");
  EXPECT_EQ(PodSpec(got)["dnsConfig"], Object::parse(R"({"nameservers":["1.2.3.4"]})"));
  EXPECT_EQ(PodSpec(got)["initContainers"],
            Object::parse(R"([{"name":"init","image":"i:1","env":[{"name":"Y","value":"y"}]}])"));
}

TEST(StrategicMergePatch, LeavesTheOriginalUnchanged) {
  const Object original = Deployment();
  const Object copy = original;
  Smp(original, R"({"metadata":{"labels":null},"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"},
      "template":{"spec":{"$setElementOrder/containers":[{"name":"b"}],
                          "containers":[{"$patch":"delete","name":"a"},{"name":"b","image":"b:9"}]}}}})");
  EXPECT_EQ(original, copy);
}

TEST(StrategicMergePatch, MalformedPatchesAndDirectivesAreInvalidArgument) {
  struct Case {
    const char* patch;
    const char* message;
  };
  const Case cases[] = {
      {R"([{"op":"add"}])", "a strategic merge patch must be a JSON object"},
      {R"({"metadata":{"labels":{"$patch":"frobnicate"}}})",
       R"(metadata.labels: unknown $patch directive "frobnicate"; expected "replace", "delete" or "merge")"},
      {R"({"metadata":{"labels":{"$patch":1}}})", "unknown $patch directive 1"},
      {R"({"spec":{"template":{"spec":{"containers":[{"$patch":"nope","name":"a"}]}}}})",
       R"(spec.template.spec.containers[0]: unknown $patch directive "nope")"},
      {R"({"spec":{"strategy":{"$retainKeys":"type","type":"Recreate"}}})",
       "spec.strategy: $retainKeys must be a list of field names"},
      {R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate","rollingUpdate":{}}}})",
       R"(spec.strategy: field "rollingUpdate" is in the patch but not in its $retainKeys list)"},
      {R"({"spec":{"template":{"spec":{"$setElementOrder/containers":"a"}}}})",
       "spec.template.spec: $setElementOrder/containers must be a list"},
      {R"({"spec":{"template":{"spec":{"$setElementOrder/containers":["a"]}}}})", "expected an object with the merge key \"name\""},
      {R"({"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"a"}],"containers":[{"name":"b","image":"x"}]}}}})",
       "spec.template.spec.containers: the patch list is not in the order $setElementOrder/containers gives"},
      {R"({"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"a"}],"containers":{"name":"a"}}}}})",
       "\"containers\" must be a list when the patch has $setElementOrder/containers"},
      {R"({"metadata":{"$deleteFromPrimitiveList/finalizers":"example.com/a"}})",
       "metadata: $deleteFromPrimitiveList/finalizers must be a list of values"},
      {R"({"metadata":{"$setElementOrder/":[]}})", "\"$setElementOrder/\" names no field"},
      {R"({"spec":{"template":{"spec":{"containers":[{"image":"x:2"}]}}}})",
       "spec.template.spec.containers: a patch element has no merge key \"name\""},
      {R"({"spec":{"template":{"spec":{"containers":["a"]}}}})",
       "spec.template.spec.containers[0]: expected an object with the merge key \"name\""},
      {R"({"spec":{"template":{"spec":{"containers":[{"$patch":"delete","image":"a:1"}]}}}})",
       "$patch: delete needs the merge key \"name\""},
      {R"({"metadata":{"finalizers":[{"a":1}]}})", "metadata.finalizers[0]: expected a value in this list"},
      {R"({"$patch":"delete"})", "$patch: delete at the top level would delete the whole object"},
  };
  for (const Case& c : cases) {
    Status s = SmpError(Deployment(), c.patch);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.patch << ": " << s.ToString();
    EXPECT_NE(s.message().find(c.message), std::string::npos) << c.patch << ": " << s.message();
  }
}

TEST(StrategicMergePatch, ListDirectivesOnFieldsThatAreNotListsAreFailedPrecondition) {
  struct Case {
    const char* patch;
    const char* message;
  };
  const Case cases[] = {
      {R"({"spec":{"$setElementOrder/replicas":[1]}})", "spec: $setElementOrder/replicas: field \"replicas\" is not a list"},
      {R"({"metadata":{"$deleteFromPrimitiveList/labels":["app"]}})",
       "metadata: $deleteFromPrimitiveList/labels: field \"labels\" is not a list"},
  };
  for (const Case& c : cases) {
    Status s = SmpError(Deployment(), c.patch);
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << c.patch << ": " << s.ToString();
    EXPECT_NE(s.message().find(c.message), std::string::npos) << c.patch << ": " << s.message();
  }
  // The same on a kind the schema does not know, found from the object's value.
  Object widget = Object::parse(R"({"apiVersion":"example.com/v1","kind":"Widget","spec":{"size":1}})");
  Status s = SmpError(widget, R"({"spec":{"$deleteFromPrimitiveList/size":[1]}})");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
}

TEST(StrategicMergePatch, PatchReplaceAtTheTopLevelReplacesTheObject) {
  Object got = Smp(Deployment(), R"({"$patch":"replace","apiVersion":"apps/v1","kind":"Deployment",
                                     "metadata":{"name":"web"}})");
  EXPECT_EQ(got, Object::parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"}})"));
}

}  // namespace
}  // namespace moor::manifests
