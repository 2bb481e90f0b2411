#include "moor/reconciler/sync_planner.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace moor::reconciler {
namespace {

constexpr const char* kSource = "folder";

Object ConfigMap(const std::string& name, const std::string& value) {
  return Object{{"apiVersion", "v1"},
                {"kind", "ConfigMap"},
                {"metadata", {{"name", name}, {"namespace", "default"}}},
                {"data", {{"k", value}}}};
}

ObjectKey Key(const std::string& name) { return ObjectKey{"ConfigMap", "default", name}; }

DeclaredObject Declared(const std::string& name, const std::string& value, int document = 1) {
  DeclaredObject d;
  d.key = Key(name);
  d.object = DesiredForm(ConfigMap(name, value));
  d.document = document;
  d.document_hash = "doc-" + name + "-" + value;
  d.content_hash = ContentHash(d.object);
  return d;
}

FileInput Valid(const std::string& path, std::vector<DeclaredObject> declared) {
  FileInput f;
  f.path = path;
  f.revision = "rev-" + path;
  f.state = FileInput::State::kValid;
  f.declared = std::move(declared);
  return f;
}

FileInput Broken(const std::string& path, std::string error) {
  FileInput f;
  f.path = path;
  f.revision = "rev-" + path;
  f.state = FileInput::State::kBroken;
  f.diagnostics = {std::move(error)};
  return f;
}

FileInput Removed(const std::string& path) {
  FileInput f;
  f.path = path;
  f.state = FileInput::State::kRemoved;
  return f;
}

// What the store holds: `value` as content, owned by {source, path} (source "" = API).
StoredObject Stored(const std::string& name, const std::string& value, const std::string& source,
                    const std::string& path, int document = 1) {
  Object obj = ConfigMap(name, value);
  obj["metadata"]["uid"] = "uid-" + name;  // server-owned fields do not count as content
  obj["metadata"]["resourceVersion"] = "7";
  obj["metadata"]["generation"] = 1;
  obj["metadata"]["creationTimestamp"] = "2026-01-01T00:00:00Z";
  obj["status"] = Object::object();
  store::SourceRef ref;
  if (!source.empty()) ref = store::SourceRef{source, path, document, "doc-" + name + "-" + value};
  return StoredObject{ref, ContentHash(obj)};
}

// One line per op: "apply ConfigMap/default/web <- a.yaml#1" or "delete ConfigMap/default/web".
std::vector<std::string> Ops(const FilePlan& plan) {
  std::vector<std::string> out;
  for (const store::WriteOp& op : plan.ops) {
    if (op.type == store::WriteOp::Type::kDelete) {
      out.push_back("delete " + op.key.ToString());
    } else {
      out.push_back("apply " + manifests::KeyOf(op.object).ToString() + " <- " + op.source->path + "#" +
                    std::to_string(op.source->document));
    }
  }
  return out;
}

// "created ConfigMap/default/web" per outcome.
std::vector<std::string> Outcomes(const FilePlan& plan) {
  std::vector<std::string> out;
  for (const store::ObjectOutcome& o : plan.outcomes) out.push_back(o.action + " " + o.key.ToString());
  return out;
}

struct Expected {
  Expected(std::string result, std::vector<std::string> ops, std::vector<std::string> outcomes,
           std::vector<std::string> error_mentions = {}, bool conflict = false)
      : result(std::move(result)),
        ops(std::move(ops)),
        outcomes(std::move(outcomes)),
        error_mentions(std::move(error_mentions)),
        conflict(conflict) {}
  std::string result;
  std::vector<std::string> ops;
  std::vector<std::string> outcomes;
  std::vector<std::string> error_mentions;  // substrings that must appear in the errors
  bool conflict;
};

struct Case {
  std::string name;
  std::function<BatchInput()> input;
  std::vector<Expected> expected;  // one per input file, in input order
};

BatchInput Batch(std::vector<FileInput> files, std::map<ObjectKey, StoredObject> stored = {},
                 std::map<ObjectKey, std::string> held_elsewhere = {}) {
  BatchInput in;
  in.source_name = kSource;
  in.files = std::move(files);
  in.stored = std::move(stored);
  in.held_elsewhere = std::move(held_elsewhere);
  return in;
}

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
      {"new file creates its objects",
       [] { return Batch({Valid("a.yaml", {Declared("web", "1", 1), Declared("db", "1", 2)})}); },
       {{"Applied",
         {"apply ConfigMap/default/web <- a.yaml#1", "apply ConfigMap/default/db <- a.yaml#2"},
         {"created ConfigMap/default/web", "created ConfigMap/default/db"}}}},
      {"changed document updates only that object",
       [] {
         return Batch({Valid("a.yaml", {Declared("web", "2", 1), Declared("db", "1", 2)})},
                      {{Key("web"), Stored("web", "1", kSource, "a.yaml", 1)},
                       {Key("db"), Stored("db", "1", kSource, "a.yaml", 2)}});
       },
       {{"Applied",
         {"apply ConfigMap/default/web <- a.yaml#1"},
         {"updated ConfigMap/default/web", "unchanged ConfigMap/default/db"}}}},
      {"unchanged file writes nothing",
       [] {
         return Batch({Valid("a.yaml", {Declared("web", "1", 1)})},
                      {{Key("web"), Stored("web", "1", kSource, "a.yaml", 1)}});
       },
       {{"Applied", {}, {"unchanged ConfigMap/default/web"}}}},
      {"document moved within the file updates only the source",
       [] {
         return Batch({Valid("a.yaml", {Declared("web", "1", 2)})},
                      {{Key("web"), Stored("web", "1", kSource, "a.yaml", 1)}});
       },
       {{"Applied", {"apply ConfigMap/default/web <- a.yaml#2"}, {"unchanged ConfigMap/default/web"}}}},
      {"removed document is pruned",
       [] {
         return Batch({Valid("a.yaml", {Declared("web", "1", 1)})},
                      {{Key("web"), Stored("web", "1", kSource, "a.yaml", 1)},
                       {Key("db"), Stored("db", "1", kSource, "a.yaml", 2)}});
       },
       {{"Applied", {"delete ConfigMap/default/db"}, {"unchanged ConfigMap/default/web", "pruned ConfigMap/default/db"}}}},
      {"object moving between files is transferred, not pruned",
       [] {
         return Batch({Valid("a.yaml", {Declared("db", "1", 1)}), Valid("b.yaml", {Declared("web", "1", 1)})},
                      {{Key("web"), Stored("web", "1", kSource, "a.yaml", 2)},
                       {Key("db"), Stored("db", "1", kSource, "a.yaml", 1)}});
       },
       {{"Applied", {}, {"unchanged ConfigMap/default/db"}},
        {"Applied", {"apply ConfigMap/default/web <- b.yaml#1"}, {"unchanged ConfigMap/default/web"}}}},
      {"moving into a file whose old owner was deleted in the same batch",
       [] {
         return Batch({Removed("a.yaml"), Valid("b.yaml", {Declared("web", "1", 1)})},
                      {{Key("web"), Stored("web", "1", kSource, "a.yaml", 1)},
                       {Key("db"), Stored("db", "1", kSource, "a.yaml", 2)}});
       },
       {{"Removed", {"delete ConfigMap/default/db"}, {"pruned ConfigMap/default/db"}},
        {"Applied", {"apply ConfigMap/default/web <- b.yaml#1"}, {"unchanged ConfigMap/default/web"}}}},
      {"object owned by a file outside the batch that still declares it: conflict",
       [] {
         return Batch({Valid("b.yaml", {Declared("web", "2", 1), Declared("new", "1", 2)})},
                      {{Key("web"), Stored("web", "1", kSource, "a.yaml", 1)}}, {{Key("web"), "a.yaml"}});
       },
       {{"Failed", {}, {"failed ConfigMap/default/web"}, {"a.yaml", "b.yaml", "ConfigMap/default/web"}, true}}},
      {"objects in a Terminating namespace fail their file (retried), new or existing",
       [] {
         BatchInput in = Batch({Valid("a.yaml", {Declared("web", "1", 1), Declared("new", "1", 2)})},
                               {{Key("web"), Stored("web", "1", kSource, "a.yaml", 1)}});
         in.terminating_namespaces = {"default"};
         return in;
       },
       {{"Failed",
         {},
         {"failed ConfigMap/default/web", "failed ConfigMap/default/new"},
         {"unable to create new content in namespace default because it is being terminated", "a.yaml",
          "once the namespace is gone"},
         true}}},
      {"a Terminating namespace does not fail files declaring objects elsewhere",
       [] {
         BatchInput in = Batch({Valid("a.yaml", {Declared("web", "1", 1)})});
         in.terminating_namespaces = {"other"};
         return in;
       },
       {{"Applied", {"apply ConfigMap/default/web <- a.yaml#1"}, {"created ConfigMap/default/web"}}}},
      {"object owned by a file outside the batch that let go of it: taken over",
       [] {
         return Batch({Valid("b.yaml", {Declared("web", "1", 1)})},
                      {{Key("web"), Stored("web", "1", kSource, "a.yaml", 1)}});
       },
       {{"Applied", {"apply ConfigMap/default/web <- b.yaml#1"}, {"unchanged ConfigMap/default/web"}}}},
      {"owner in the batch still declaring the object keeps it",
       [] {
         return Batch({Valid("b.yaml", {Declared("web", "2", 1)}), Valid("a.yaml", {Declared("web", "1", 1)})},
                      {{Key("web"), Stored("web", "1", kSource, "a.yaml", 1)}});
       },
       {{"Failed", {}, {"failed ConfigMap/default/web"}, {"a.yaml", "b.yaml"}, true},
        {"Applied", {}, {"unchanged ConfigMap/default/web"}}}},
      {"two new files declaring the same object: the first by path wins",
       [] { return Batch({Valid("b.yaml", {Declared("web", "2", 1)}), Valid("a.yaml", {Declared("web", "1", 1)})}); },
       {{"Failed", {}, {"failed ConfigMap/default/web"}, {"a.yaml", "b.yaml"}, true},
        {"Applied", {"apply ConfigMap/default/web <- a.yaml#1"}, {"created ConfigMap/default/web"}}}},
      {"broken owner keeps its objects against a new declarer",
       [] {
         return Batch({Broken("a.yaml", "a.yaml:3:5: kind: Required value"), Valid("b.yaml", {Declared("web", "1", 1)})},
                      {{Key("web"), Stored("web", "1", kSource, "a.yaml", 1)}});
       },
       {{"Failed", {}, {}, {"a.yaml:3:5: kind: Required value"}},
        {"Failed", {}, {"failed ConfigMap/default/web"}, {"a.yaml", "b.yaml"}, true}}},
      {"broken file applies nothing and prunes nothing",
       [] {
         return Batch({Broken("a.yaml", "a.yaml:14:7: spec.replicas: expected integer, got \"x\"")},
                      {{Key("web"), Stored("web", "1", kSource, "a.yaml", 1)}});
       },
       {{"Failed", {}, {}, {"a.yaml:14:7"}}}},
      {"API-created object is adopted by the file declaring it",
       [] {
         return Batch({Valid("a.yaml", {Declared("web", "1", 1), Declared("db", "2", 2)})},
                      {{Key("web"), Stored("web", "1", "", "")}, {Key("db"), Stored("db", "1", "", "")}});
       },
       {{"Applied",
         {"apply ConfigMap/default/web <- a.yaml#1", "apply ConfigMap/default/db <- a.yaml#2"},
         {"unchanged ConfigMap/default/web", "updated ConfigMap/default/db"}}}},
      {"object of another source is never taken over",
       [] {
         return Batch({Valid("a.yaml", {Declared("web", "1", 1)})},
                      {{Key("web"), Stored("web", "1", "git:infra", "web.yaml")}});
       },
       {{"Failed", {}, {"failed ConfigMap/default/web"}, {"git:infra", "a.yaml"}, true}}},
      {"deleted file prunes exactly what it owns",
       [] {
         return Batch({Removed("a.yaml")}, {{Key("web"), Stored("web", "1", kSource, "a.yaml", 1)},
                                            {Key("api"), Stored("api", "1", "", "")},
                                            {Key("other"), Stored("other", "1", kSource, "b.yaml", 1)}});
       },
       {{"Removed", {"delete ConfigMap/default/web"}, {"pruned ConfigMap/default/web"}}}},
      {"same object twice in one file is an error of the file",
       [] { return Batch({Valid("a.yaml", {Declared("web", "1", 1), Declared("web", "2", 3)})}); },
       {{"Failed", {}, {}, {"declared twice", "documents 1 and 3"}}}},
      {"a file losing a conflict holds what it owns, so its moved-away object stays",
       [] {
         // c.yaml moves `web` to d.yaml but itself loses `x` to a.yaml; c.yaml fails, so it
         // still holds `web`, and d.yaml cannot take it yet.
         return Batch({Valid("a.yaml", {Declared("x", "1", 1)}), Valid("c.yaml", {Declared("x", "2", 1)}),
                       Valid("d.yaml", {Declared("web", "1", 1)})},
                      {{Key("web"), Stored("web", "1", kSource, "c.yaml", 1)}});
       },
       {{"Applied", {"apply ConfigMap/default/x <- a.yaml#1"}, {"created ConfigMap/default/x"}},
        {"Failed", {}, {"failed ConfigMap/default/x"}, {"a.yaml", "c.yaml"}, true},
        {"Failed", {}, {"failed ConfigMap/default/web"}, {"c.yaml", "d.yaml"}, true}}},
  };
  return cases;
}

TEST(SyncPlannerTest, Table) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    BatchInput input = c.input();
    std::vector<FilePlan> plans = PlanBatch(input);
    ASSERT_EQ(plans.size(), c.expected.size());
    for (size_t i = 0; i < plans.size(); ++i) {
      const FilePlan& plan = plans[i];
      const Expected& want = c.expected[i];
      SCOPED_TRACE(plan.path);
      EXPECT_EQ(plan.path, input.files[i].path);
      EXPECT_EQ(plan.result, want.result);
      EXPECT_EQ(Ops(plan), want.ops);
      EXPECT_EQ(Outcomes(plan), want.outcomes);
      EXPECT_EQ(plan.conflict, want.conflict);
      std::string errors;
      for (const std::string& e : plan.errors) errors += e + "\n";
      for (const std::string& mention : want.error_mentions) {
        EXPECT_NE(errors.find(mention), std::string::npos) << "missing \"" << mention << "\" in:\n" << errors;
      }
      if (want.error_mentions.empty()) {
        EXPECT_TRUE(plan.errors.empty()) << errors;
      }
    }
  }
}

TEST(SyncPlannerTest, AppliedObjectsCarryTheirSource) {
  std::vector<FilePlan> plans = PlanBatch(Batch({Valid("apps/a.yaml", {Declared("web", "1", 3)})}));
  ASSERT_EQ(plans.size(), 1u);
  ASSERT_EQ(plans[0].ops.size(), 1u);
  const store::WriteOp& op = plans[0].ops[0];
  EXPECT_EQ(op.type, store::WriteOp::Type::kApply);
  ASSERT_TRUE(op.source.has_value());
  EXPECT_EQ(*op.source, (store::SourceRef{kSource, "apps/a.yaml", 3, "doc-web-1"}));
  EXPECT_EQ(op.object, DesiredForm(ConfigMap("web", "1")));
}

TEST(SyncPlannerTest, MoveOutcomeSaysWhereFrom) {
  std::vector<FilePlan> plans = PlanBatch(Batch({Removed("a.yaml"), Valid("b.yaml", {Declared("web", "1", 1)})},
                                                {{Key("web"), Stored("web", "1", kSource, "a.yaml", 1)}}));
  ASSERT_EQ(plans.size(), 2u);
  ASSERT_EQ(plans[1].outcomes.size(), 1u);
  EXPECT_EQ(plans[1].outcomes[0].message, "moved from a.yaml");
}

TEST(SyncPlannerTest, ContentHashIgnoresServerFields) {
  Object a = ConfigMap("web", "1");
  Object b = a;
  b["metadata"]["uid"] = "u";
  b["metadata"]["resourceVersion"] = "42";
  b["metadata"]["generation"] = 3;
  b["metadata"]["creationTimestamp"] = "2026-01-01T00:00:00Z";
  b["status"] = {{"phase", "Running"}};
  EXPECT_EQ(ContentHash(a), ContentHash(b));
  b["metadata"]["labels"] = {{"app", "web"}};
  EXPECT_NE(ContentHash(a), ContentHash(b));
  EXPECT_NE(ContentHash(ConfigMap("web", "1")), ContentHash(ConfigMap("web", "2")));
}

TEST(SyncPlannerTest, ContentHashIgnoresTheNodeNameTheBinderSets) {
  Object pod = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", "p"}, {"namespace", "default"}}},
                {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
  Object bound = pod;
  bound["spec"]["nodeName"] = "node-1";
  EXPECT_EQ(ContentHash(pod), ContentHash(bound));
  Object changed = bound;
  changed["spec"]["containers"][0]["image"] = "nginx";
  EXPECT_NE(ContentHash(pod), ContentHash(changed));
}

TEST(SyncPlannerTest, ContentHashIgnoresTheNodePortsTheAllocatorSets) {
  Object svc = Object::parse(R"({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "default"},
      "spec": {"type": "NodePort", "ports": [{"port": 80}, {"port": 53, "protocol": "UDP"}]}})");
  Object allocated = svc;
  allocated["spec"]["clusterIP"] = "10.43.0.2";
  allocated["spec"]["clusterIPs"] = Object::array({"10.43.0.2"});
  allocated["spec"]["ports"][0]["nodePort"] = 30000;
  allocated["spec"]["ports"][1]["nodePort"] = 30001;
  EXPECT_EQ(ContentHash(svc), ContentHash(allocated));
  Object changed = allocated;
  changed["spec"]["ports"][1]["port"] = 54;
  EXPECT_NE(ContentHash(svc), ContentHash(changed));
}

}  // namespace
}  // namespace moor::reconciler
