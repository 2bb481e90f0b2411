// JSON patch (RFC 6902), JSON merge patch (RFC 7386) and the patch content types. The
// strategic merge patch has its own file, strategic_merge_patch_test.cc.
#include "moor/manifests/patch.h"

#include <gtest/gtest.h>

namespace moor::manifests {
namespace {

Object Deployment() {
  return Object::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default",
                 "labels": {"app": "web"},
                 "annotations": {"example.com/owner": "team-a", "a~b": "tilde"}},
    "spec": {"replicas": 2,
             "template": {"spec": {"containers": [{"name": "a", "image": "a:1", "args": ["x", "y"]}]}}}
  })");
}

Object Patched(const Object& original, const char* patch, PatchType type) {
  StatusOr<Object> got = ApplyPatch(original, Object::parse(patch), type);
  EXPECT_TRUE(got.ok()) << got.status().ToString();
  return got.ok() ? *got : Object();
}

Status PatchError(const Object& original, const char* patch, PatchType type) {
  StatusOr<Object> got = ApplyPatch(original, Object::parse(patch), type);
  EXPECT_FALSE(got.ok()) << "patch " << patch << " applied: " << (got.ok() ? got->dump() : "");
  return got.ok() ? Status() : got.status();
}

TEST(PatchTypeFor, KnowsTheThreeKubectlTypesAndIgnoresParameters) {
  EXPECT_EQ(PatchTypeFor("application/json-patch+json"), PatchType::kJsonPatch);
  EXPECT_EQ(PatchTypeFor("application/merge-patch+json"), PatchType::kMergePatch);
  EXPECT_EQ(PatchTypeFor("application/strategic-merge-patch+json"), PatchType::kStrategicMergePatch);
  EXPECT_EQ(PatchTypeFor("application/strategic-merge-patch+json; charset=utf-8"), PatchType::kStrategicMergePatch);
  EXPECT_EQ(PatchTypeFor(" Application/Merge-Patch+JSON ;charset=UTF-8"), PatchType::kMergePatch);
  EXPECT_EQ(PatchTypeFor("application/json"), std::nullopt);
  EXPECT_EQ(PatchTypeFor("application/apply-patch+yaml"), std::nullopt);
  EXPECT_EQ(PatchTypeFor(""), std::nullopt);
}

TEST(JsonPatch, AddRemoveReplaceMoveCopyTest) {
  Object got = Patched(Deployment(), R"([
    {"op": "test", "path": "/spec/replicas", "value": 2},
    {"op": "replace", "path": "/spec/replicas", "value": 3},
    {"op": "add", "path": "/metadata/labels/tier", "value": "frontend"},
    {"op": "remove", "path": "/metadata/labels/app"},
    {"op": "copy", "from": "/metadata/labels/tier", "path": "/metadata/labels/copy"},
    {"op": "move", "from": "/metadata/labels/copy", "path": "/metadata/labels/moved"},
    {"op": "add", "path": "/spec/template/spec/containers/0/args/1", "value": "inserted"},
    {"op": "test", "path": "/metadata/labels", "value": {"tier": "frontend", "moved": "frontend"}}
  ])", PatchType::kJsonPatch);
  EXPECT_EQ(got["spec"]["replicas"], 3);
  EXPECT_EQ(got["metadata"]["labels"], Object::parse(R"({"tier": "frontend", "moved": "frontend"})"));
  EXPECT_EQ(got["spec"]["template"]["spec"]["containers"][0]["args"], Object::parse(R"(["x", "inserted", "y"])"));
}

TEST(JsonPatch, DashAppendsToAList) {
  Object got = Patched(Deployment(), R"([
    {"op": "add", "path": "/spec/template/spec/containers/-", "value": {"name": "b", "image": "b:1"}},
    {"op": "add", "path": "/spec/template/spec/containers/0/args/-", "value": "z"}
  ])", PatchType::kJsonPatch);
  const Object& containers = got["spec"]["template"]["spec"]["containers"];
  ASSERT_EQ(containers.size(), 2u);
  EXPECT_EQ(containers[1]["name"], "b");
  EXPECT_EQ(containers[0]["args"], Object::parse(R"(["x", "y", "z"])"));
}

TEST(JsonPatch, PointerEscapesSlashAndTilde) {
  Object got = Patched(Deployment(), R"([
    {"op": "replace", "path": "/metadata/annotations/example.com~1owner", "value": "team-b"},
    {"op": "remove", "path": "/metadata/annotations/a~0b"},
    {"op": "add", "path": "/metadata/annotations/x~1y~0z", "value": "new"}
  ])", PatchType::kJsonPatch);
  EXPECT_EQ(got["metadata"]["annotations"], Object::parse(R"({"example.com/owner": "team-b", "x/y~z": "new"})"));
}

TEST(JsonPatch, EmptyPathReplacesTheWholeDocument) {
  Object got = Patched(Deployment(), R"([{"op": "add", "path": "", "value": {"kind": "Other"}}])", PatchType::kJsonPatch);
  EXPECT_EQ(got, Object::parse(R"({"kind": "Other"})"));
}

TEST(JsonPatch, LeavesTheOriginalUnchanged) {
  const Object original = Deployment();
  const Object copy = original;
  Patched(original, R"([{"op": "remove", "path": "/spec"}])", PatchType::kJsonPatch);
  EXPECT_EQ(original, copy);
  // A failing later op leaves nothing half-applied either: the caller gets only the error.
  Status s = PatchError(original, R"([{"op": "remove", "path": "/spec"}, {"op": "remove", "path": "/nope"}])",
                        PatchType::kJsonPatch);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(original, copy);
}

TEST(JsonPatch, MalformedPatchesAreInvalidArgument) {
  struct Case {
    const char* patch;
    const char* message;
  };
  const Case cases[] = {
      {R"({"op": "add"})", "a json patch must be a list of operations"},
      {R"(["add"])", "json patch op 0: expected an object"},
      {R"([{"path": "/a", "value": 1}])", "json patch op 0: missing \"op\""},
      {R"([{"op": "frobnicate", "path": "/a"}])", "json patch op 0 (\"frobnicate\"): unknown op"},
      {R"([{"op": "test", "path": "/spec/replicas", "value": 2}, {"op": "remove"}])",
       "json patch op 1 (\"remove\"): missing \"path\""},
      {R"([{"op": "add", "path": "/a"}])", "json patch op 0 (\"add\"): missing \"value\""},
      {R"([{"op": "replace", "path": "/spec/replicas"}])", "missing \"value\""},
      {R"([{"op": "move", "path": "/a"}])", "json patch op 0 (\"move\"): missing \"from\""},
      {R"([{"op": "copy", "path": "/a", "from": 3}])", "missing \"from\""},
      {R"([{"op": "remove", "path": "spec/replicas"}])", "\"path\" \"spec/replicas\" is not a JSON pointer"},
      {R"([{"op": "remove", "path": "/metadata/a~2b"}])", "is not a JSON pointer"},
  };
  for (const Case& c : cases) {
    Status s = PatchError(Deployment(), c.patch, PatchType::kJsonPatch);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.patch << ": " << s.ToString();
    EXPECT_NE(s.message().find(c.message), std::string::npos) << c.patch << ": " << s.message();
  }
}

TEST(JsonPatch, PatchesThatDoNotFitTheObjectAreFailedPrecondition) {
  struct Case {
    const char* patch;
    const char* message;
  };
  const Case cases[] = {
      {R"([{"op": "test", "path": "/spec/replicas", "value": 2}, {"op": "remove", "path": "/spec/foo"}])",
       R"(json patch op 1 ("remove"): path "/spec/foo" does not exist)"},
      {R"([{"op": "replace", "path": "/spec/foo", "value": 1}])", R"(json patch op 0 ("replace"): path "/spec/foo" does not exist)"},
      {R"([{"op": "add", "path": "/spec/foo/bar", "value": 1}])", R"(the parent of path "/spec/foo/bar" does not exist)"},
      {R"([{"op": "add", "path": "/spec/replicas/x", "value": 1}])", "goes into a value that is not an object or a list"},
      {R"([{"op": "test", "path": "/spec/replicas", "value": 3}])",
       R"(json patch op 0 ("test"): test failed: the value at "/spec/replicas" is 2, not 3)"},
      {R"([{"op": "test", "path": "/spec/nope", "value": 3}])", R"(path "/spec/nope" does not exist)"},
      {R"([{"op": "add", "path": "/spec/template/spec/containers/0/args/3", "value": "z"}])",
       "index 3 is out of range (the list has 2 elements)"},
      {R"([{"op": "add", "path": "/spec/template/spec/containers/0/args/01", "value": "z"}])", "\"01\" is not a list index"},
      {R"([{"op": "remove", "path": "/spec/template/spec/containers/0/args/2"}])",
       R"(path "/spec/template/spec/containers/0/args/2" does not exist (the list has 2 elements))"},
      {R"([{"op": "remove", "path": "/spec/template/spec/containers/0/args/-"}])", "does not exist"},
      {R"([{"op": "replace", "path": "/spec/template/spec/containers/1", "value": {}}])", "does not exist"},
      {R"([{"op": "move", "from": "/spec/nope", "path": "/spec/x"}])", R"(json patch op 0 ("move"): from "/spec/nope" does not exist)"},
      {R"([{"op": "copy", "from": "/spec/nope", "path": "/spec/x"}])", R"(from "/spec/nope" does not exist)"},
      {R"([{"op": "move", "from": "/spec", "path": "/spec/inner"}])", "cannot move \"/spec\" into its own child"},
      {R"([{"op": "remove", "path": ""}])", "cannot remove the whole object"},
  };
  for (const Case& c : cases) {
    Status s = PatchError(Deployment(), c.patch, PatchType::kJsonPatch);
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << c.patch << ": " << s.ToString();
    EXPECT_NE(s.message().find(c.message), std::string::npos) << c.patch << ": " << s.message();
  }
}

TEST(ApplyPatch, RefusesPatchesNestedDeeperThanAnyObject) {
  Object deep = Object::parse(R"({"leaf": 1})");
  for (int i = 0; i < 300; ++i) deep = Object{{"a", std::move(deep)}};
  for (PatchType type : {PatchType::kMergePatch, PatchType::kStrategicMergePatch}) {
    StatusOr<Object> got = ApplyPatch(Deployment(), deep, type);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(got.status().message().find("deeper than 256 levels"), std::string::npos) << got.status().message();
  }
}

TEST(MergePatch, NullDeletesMapsMergeListsAreReplaced) {
  Object got = Patched(Deployment(), R"({
    "metadata": {"labels": {"app": null, "tier": "web"}, "annotations": null},
    "spec": {"template": {"spec": {"containers": [{"name": "b", "image": "b:1", "ports": null}]}},
             "paused": true, "new": {"kept": 1, "dropped": null}}
  })", PatchType::kMergePatch);
  EXPECT_EQ(got["metadata"], Object::parse(R"({"name": "web", "namespace": "default", "labels": {"tier": "web"}})"));
  // A list is taken as it is (RFC 7386 does not look into lists); normalizing drops the null later.
  EXPECT_EQ(got["spec"]["template"]["spec"]["containers"], Object::parse(R"([{"name": "b", "image": "b:1", "ports": null}])"));
  EXPECT_EQ(got["spec"]["paused"], true);
  EXPECT_EQ(got["spec"]["new"], Object::parse(R"({"kept": 1})"));
  EXPECT_EQ(got["spec"]["replicas"], 2);
}

TEST(MergePatch, LeavesTheOriginalUnchanged) {
  const Object original = Deployment();
  const Object copy = original;
  Patched(original, R"({"spec": null})", PatchType::kMergePatch);
  EXPECT_EQ(original, copy);
}

TEST(MergePatch, APatchThatIsNotAnObjectIsInvalidArgument) {
  for (const char* patch : {"[]", "3", "\"x\"", "null"}) {
    Status s = PatchError(Deployment(), patch, PatchType::kMergePatch);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << patch;
    EXPECT_NE(s.message().find("a merge patch must be a JSON object"), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace moor::manifests
