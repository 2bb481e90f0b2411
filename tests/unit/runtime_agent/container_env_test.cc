#include "container_env.h"

#include <map>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace moor::runtime {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

TEST(ExpandVariablesTest, KubernetesCases) {
  // The cases of Kubernetes' third_party/forked/golang/expansion tests.
  const std::map<std::string, std::string> vars = {
      {"VAR_A", "A"}, {"VAR_B", "B"}, {"VAR_C", "C"}, {"VAR_REF", "$(VAR_A)"}, {"VAR_EMPTY", ""},
  };
  struct Case {
    const char* name;
    const char* input;
    const char* want;
  } cases[] = {
      {"whole string", "$(VAR_A)", "A"},
      {"repeat", "$(VAR_A)-$(VAR_A)", "A-A"},
      {"beginning", "$(VAR_A)-1", "A-1"},
      {"middle", "___$(VAR_B)___", "___B___"},
      {"end", "___$(VAR_C)", "___C"},
      {"compound", "$(VAR_A)_$(VAR_B)_$(VAR_C)", "A_B_C"},
      {"escape & expand", "$$(VAR_B)_$(VAR_A)", "$(VAR_B)_A"},
      {"compound escape", "$$(VAR_A)_$$(VAR_B)", "$(VAR_A)_$(VAR_B)"},
      {"mixed in escapes", "f000-$$VAR_A", "f000-$VAR_A"},
      {"backslash escape ignored", "foo\\$(VAR_C)bar", "foo\\Cbar"},
      {"backslash escape ignored twice", "foo\\\\$(VAR_C)bar", "foo\\\\Cbar"},
      {"lots of backslashes", "foo\\\\\\\\$(VAR_A)bar", "foo\\\\\\\\Abar"},
      {"value is a reference: not expanded again", "$(VAR_REF)", "$(VAR_A)"},
      {"value is a reference x 2", "%%$(VAR_REF)--$(VAR_REF)%%", "%%$(VAR_A)--$(VAR_A)%%"},
      {"empty var", "foo$(VAR_EMPTY)bar", "foobar"},
      {"unterminated expression", "foo$(VAR_Awhoops!", "foo$(VAR_Awhoops!"},
      {"expression without operator", "f00__(VAR_A)__", "f00__(VAR_A)__"},
      {"shell special vars pass through", "$?_boo_$!", "$?_boo_$!"},
      {"bare operators are ignored", "$VAR_A", "$VAR_A"},
      {"undefined vars are passed through", "$(VAR_DNE)", "$(VAR_DNE)"},
      {"multiple (even) operators, var undefined", "$$$$$$(BIG_MONEY)", "$$$(BIG_MONEY)"},
      {"multiple (even) operators, var defined", "$$$$$$(VAR_A)", "$$$(VAR_A)"},
      {"multiple (odd) operators, var undefined", "$$$$$$$(GOOD_ODDS)", "$$$$(GOOD_ODDS)"},
      {"multiple (odd) operators, var defined", "$$$$$$$(VAR_A)", "$$$A"},
      {"missing open expression", "$VAR_A)", "$VAR_A)"},
      {"shell syntax ignored", "${VAR_A}", "${VAR_A}"},
      {"trailing incomplete expression not consumed", "$(VAR_B)_______$(A", "B_______$(A"},
      {"trailing incomplete expression, no content", "$(VAR_C)_______$(", "C_______$("},
      {"operator at end of input is preserved", "$(VAR_A)foobarzab$", "Afoobarzab$"},
      {"shell escaped incomplete expr", "foo-\\$(VAR_A", "foo-\\$(VAR_A"},
      {"lots of $( in middle", "--$($($($($--", "--$($($($($--"},
      {"lots of $( in beginning", "$($($($($--foo$(", "$($($($($--foo$("},
      {"lots of $( at end", "foo0--$($($($(", "foo0--$($($($("},
      {"escaped operators in variable names are not escaped", "$(foo$$var)", "$(foo$$var)"},
      {"nested var references", "$(VAR_A$(VAR_B))", "$(VAR_A$(VAR_B))"},
      {"newline not expanded", "\n", "\n"},
      {"empty", "", ""},
      // After an unclosed "$(" Kubernetes keeps scanning: a later "$$" is still an escape.
      {"escape after an unclosed expression", "$(VAR_A $$HOME", "$(VAR_A $HOME"},
      {"escape after an unclosed expression, no space", "$(abc$$", "$(abc$"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ExpandVariables(c.input, vars), c.want) << c.name << ": " << c.input;
  }
}

const char* kCreds64 = "czNjcmV0";  // "s3cret"

class ResolveEnvTest : public ::testing::Test {
 protected:
  ResolveEnvTest() {
    pod_ = Object::parse(R"({
      "apiVersion": "v1", "kind": "Pod",
      "metadata": {"name": "web", "namespace": "shop", "uid": "u-1",
                   "labels": {"app": "web", "tier": "front"}, "annotations": {"team": "blue"}},
      "spec": {"nodeName": "node-1", "serviceAccountName": "robot", "containers": []}
    })");
    objects_[ObjectKey{"ConfigMap", "shop", "cfg"}] =
        Object::parse(R"({"kind": "ConfigMap", "data": {"LOG_LEVEL": "debug", "PORT": "8080"}})");
    objects_[ObjectKey{"Secret", "shop", "creds"}] = Object::parse(
        R"({"kind": "Secret", "data": {"password": ")" + std::string(kCreds64) + R"("}, "stringData": {"user": "admin"}})");
    facts_ = PodFacts{"10.42.0.5", "192.168.1.5", "node-1"};
  }

  ObjectLookup Lookup() {
    return [this](const ObjectKey& key) -> StatusOr<Object> {
      lookups_.push_back(key);
      if (key.name == "flaky") return UnavailableError("store is busy");
      auto it = objects_.find(key);
      if (it == objects_.end()) return NotFoundError(key.ToString() + " not found");
      return it->second;
    };
  }

  StatusOr<std::vector<std::string>> Resolve(const std::string& container_json,
                                             const std::string& image_json = R"({"config": {}})") {
    return ResolveContainerEnv(pod_, Object::parse(container_json), Object::parse(image_json), facts_, Lookup());
  }

  Object pod_;
  std::map<ObjectKey, Object> objects_;
  std::vector<ObjectKey> lookups_;
  PodFacts facts_;
};

TEST_F(ResolveEnvTest, ImageEnvThenEnvFromThenEnv) {
  auto env = Resolve(R"j({"name": "app",
      "envFrom": [{"configMapRef": {"name": "cfg"}}, {"prefix": "DB_", "secretRef": {"name": "creds"}}],
      "env": [
        {"name": "GREETING", "value": "hi $(DB_user) on $(PORT)"},
        {"name": "HOME", "value": "/home/app"},
        {"name": "ESCAPED", "value": "$$(PORT)"},
        {"name": "UNDEFINED", "value": "$(NOPE)"},
        {"name": "LATER", "value": "$(LATE)"},
        {"name": "LATE", "value": "x"},
        {"name": "EMPTY"}
      ]})j",
                     R"({"config": {"Env": ["PATH=/usr/bin:/bin", "HOME=/root", "LOG_LEVEL=info", "BROKEN"]}})");
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_THAT(*env, ElementsAre("PATH=/usr/bin:/bin", "HOME=/home/app", "LOG_LEVEL=debug", "PORT=8080",
                                "DB_password=s3cret", "DB_user=admin", "GREETING=hi admin on 8080",
                                "ESCAPED=$(PORT)", "UNDEFINED=$(NOPE)", "LATER=$(LATE)", "LATE=x", "EMPTY="));
  for (const ObjectKey& key : lookups_) EXPECT_EQ(key.ns, "shop");
}

TEST_F(ResolveEnvTest, ValueFrom) {
  auto env = Resolve(R"j({"name": "app",
      "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}, "limits": {"cpu": 2, "memory": "128Mi"}},
      "env": [
        {"name": "LEVEL", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "LOG_LEVEL"}}},
        {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "password"}}},
        {"name": "USER", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "user"}}},
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
        {"name": "POD_UID", "valueFrom": {"fieldRef": {"fieldPath": "metadata.uid"}}},
        {"name": "APP", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['app']"}}},
        {"name": "NO_LABEL", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['nope']"}}},
        {"name": "TEAM", "valueFrom": {"fieldRef": {"fieldPath": "metadata.annotations['team']"}}},
        {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
        {"name": "HOST_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIP"}}},
        {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
        {"name": "SA", "valueFrom": {"fieldRef": {"fieldPath": "spec.serviceAccountName"}}},
        {"name": "MEM_LIMIT", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory"}}},
        {"name": "MEM_LIMIT_MI", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}},
        {"name": "MEM_REQUEST_MI", "valueFrom": {"resourceFieldRef": {"resource": "requests.memory", "divisor": "1Mi"}}},
        {"name": "CPU_REQUEST", "valueFrom": {"resourceFieldRef": {"resource": "requests.cpu"}}},
        {"name": "CPU_REQUEST_M", "valueFrom": {"resourceFieldRef": {"resource": "requests.cpu", "divisor": "1m"}}},
        {"name": "CPU_LIMIT", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}},
        {"name": "USES_FIELD", "value": "$(POD_NAME).$(POD_NAMESPACE)"}
      ]})j");
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_THAT(*env, ElementsAre("LEVEL=debug", "PASSWORD=s3cret", "USER=admin", "POD_NAME=web", "POD_NAMESPACE=shop",
                                "POD_UID=u-1", "APP=web", "NO_LABEL=", "TEAM=blue", "POD_IP=10.42.0.5",
                                "HOST_IP=192.168.1.5", "NODE=node-1", "SA=robot", "MEM_LIMIT=134217728",
                                "MEM_LIMIT_MI=128", "MEM_REQUEST_MI=64", "CPU_REQUEST=1", "CPU_REQUEST_M=250",
                                "CPU_LIMIT=2", "USES_FIELD=web.shop"));
}

TEST_F(ResolveEnvTest, ReferenceErrorsAndOptional) {
  struct Case {
    const char* name;
    const char* container;
    StatusCode want_code;  // kOk: resolves
    const char* want;      // the error message, or the expected env joined by ","
  } cases[] = {
      {"missing configmap", R"({"env": [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "nope", "key": "k"}}}]})",
       StatusCode::kFailedPrecondition, "configmap \"nope\" not found"},
      {"missing secret", R"({"env": [{"name": "X", "valueFrom": {"secretKeyRef": {"name": "nope", "key": "k"}}}]})",
       StatusCode::kFailedPrecondition, "secret \"nope\" not found"},
      {"missing configmap key", R"({"env": [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "k"}}}]})",
       StatusCode::kFailedPrecondition, "couldn't find key k in ConfigMap shop/cfg"},
      {"missing secret key", R"({"env": [{"name": "X", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "db"}}}]})",
       StatusCode::kFailedPrecondition, "couldn't find key db in Secret shop/creds"},
      {"optional missing configmap",
       R"({"env": [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "nope", "key": "k", "optional": true}}},
                   {"name": "Y", "value": "y"}]})",
       StatusCode::kOk, "Y=y"},
      {"optional missing secret key",
       R"({"env": [{"name": "X", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "db", "optional": true}}}]})",
       StatusCode::kOk, ""},
      {"optional false is not optional",
       R"({"env": [{"name": "X", "valueFrom": {"secretKeyRef": {"name": "nope", "key": "k", "optional": false}}}]})",
       StatusCode::kFailedPrecondition, "secret \"nope\" not found"},
      {"envFrom missing configmap", R"({"envFrom": [{"configMapRef": {"name": "nope"}}]})",
       StatusCode::kFailedPrecondition, "configmap \"nope\" not found"},
      {"envFrom missing secret", R"({"envFrom": [{"secretRef": {"name": "nope"}}]})", StatusCode::kFailedPrecondition,
       "secret \"nope\" not found"},
      {"envFrom optional missing", R"({"envFrom": [{"secretRef": {"name": "nope", "optional": true}}]})",
       StatusCode::kOk, ""},
      {"lookup failure other than not found is passed on",
       R"({"env": [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "flaky", "key": "k", "optional": true}}}]})",
       StatusCode::kUnavailable, "store is busy"},
      {"unsupported fieldPath", R"({"env": [{"name": "X", "valueFrom": {"fieldRef": {"fieldPath": "spec.bogus"}}}]})",
       StatusCode::kFailedPrecondition, "unsupported fieldRef fieldPath spec.bogus"},
      {"bad resource", R"({"env": [{"name": "X", "valueFrom": {"resourceFieldRef": {"resource": "memory"}}}]})",
       StatusCode::kFailedPrecondition, "unsupported resourceFieldRef resource memory"},
  };
  for (const Case& c : cases) {
    auto env = Resolve(c.container);
    if (c.want_code == StatusCode::kOk) {
      ASSERT_TRUE(env.ok()) << c.name << ": " << env.status().ToString();
      std::string joined;
      for (const std::string& e : *env) joined += (joined.empty() ? "" : ",") + e;
      EXPECT_EQ(joined, c.want) << c.name;
    } else {
      ASSERT_FALSE(env.ok()) << c.name;
      EXPECT_EQ(env.status().code(), c.want_code) << c.name << ": " << env.status().ToString();
      EXPECT_EQ(env.status().message(), c.want) << c.name;
    }
  }
}

TEST(ResolveContainerArgsTest, KubeletRules) {
  const std::vector<std::string> env = {"MSG=hello", "PORT=8080"};
  const char* image = R"j({"config": {"Entrypoint": ["/entry"], "Cmd": ["--default", "$(PORT)"]}})j";
  struct Case {
    const char* name;
    const char* container;
    const char* image;
    std::vector<std::string> want;  // empty: kInvalidArgument
  } cases[] = {
      {"neither: Entrypoint + Cmd, not expanded", R"({"name": "a"})", image, {"/entry", "--default", "$(PORT)"}},
      {"command only: image Cmd dropped", R"j({"name": "a", "command": ["/bin/sh", "-c", "echo $(MSG)"]})j", image,
       {"/bin/sh", "-c", "echo hello"}},
      {"args only: Entrypoint + args", R"j({"name": "a", "args": ["--port", "$(PORT)", "$$(PORT)"]})j", image,
       {"/entry", "--port", "8080", "$(PORT)"}},
      {"command and args", R"j({"name": "a", "command": ["run"], "args": ["$(MSG)", "$(UNSET)"]})j", image,
       {"run", "hello", "$(UNSET)"}},
      {"empty command means none", R"({"name": "a", "command": [], "args": ["x"]})", image, {"/entry", "x"}},
      {"empty args means none", R"({"name": "a", "args": []})", image, {"/entry", "--default", "$(PORT)"}},
      {"image with Cmd only", R"({"name": "a"})", R"({"config": {"Cmd": ["sh"]}})", {"sh"}},
      {"image with Cmd only, args given", R"({"name": "a", "args": ["httpd", "-f"]})",
       R"({"config": {"Cmd": ["sh"]}})", {"httpd", "-f"}},
      {"image with Entrypoint only", R"({"name": "a"})", R"({"config": {"Entrypoint": ["/init"]}})", {"/init"}},
      {"nothing at all", R"({"name": "a"})", R"({"config": {}})", {}},
      {"no config at all", R"({"name": "a", "args": []})", R"({})", {}},
  };
  for (const Case& c : cases) {
    auto argv = ResolveContainerArgs(Object::parse(c.container), Object::parse(c.image), env);
    if (c.want.empty()) {
      ASSERT_FALSE(argv.ok()) << c.name;
      EXPECT_EQ(argv.status().code(), StatusCode::kInvalidArgument) << c.name;
      EXPECT_NE(argv.status().message().find("container a"), std::string::npos) << argv.status().message();
    } else {
      ASSERT_TRUE(argv.ok()) << c.name << ": " << argv.status().ToString();
      EXPECT_THAT(*argv, ElementsAreArray(c.want)) << c.name;
    }
  }
}

TEST(ObjectDataOfTest, ConfigMapsAndSecrets) {
  struct Case {
    const char* name;
    const char* object;
    std::map<std::string, std::string> want;
    const char* error;  // "" = ok; else a piece of the message
  } cases[] = {
      {"configmap data is plain", R"({"kind": "ConfigMap", "data": {"a": "czNjcmV0", "b": "two"}})",
       {{"a", "czNjcmV0"}, {"b", "two"}}, ""},
      {"configmap binaryData is base64", R"({"kind": "ConfigMap", "data": {"a": "1"}, "binaryData": {"bin": "AAEC/w=="}})",
       {{"a", "1"}, {"bin", std::string("\x00\x01\x02\xff", 4)}}, ""},
      {"secret data is base64", R"({"kind": "Secret", "data": {"password": "czNjcmV0", "empty": ""}})",
       {{"password", "s3cret"}, {"empty", ""}}, ""},
      {"secret stringData wins", R"({"kind": "Secret", "data": {"user": "cm9vdA==", "x": "eA=="}, "stringData": {"user": "admin"}})",
       {{"user", "admin"}, {"x", "x"}}, ""},
      {"configmap ignores stringData", R"({"kind": "ConfigMap", "stringData": {"user": "admin"}})", {}, ""},
      {"no data", R"({"kind": "Secret"})", {}, ""},
      {"bad base64", R"({"kind": "Secret", "data": {"k": "no+base64!"}})", {}, "illegal base64 data at input byte"},
      {"bad binaryData", R"({"kind": "ConfigMap", "binaryData": {"k": "abc"}})", {}, "binaryData.k"},
  };
  for (const Case& c : cases) {
    auto data = ObjectDataOf(Object::parse(c.object));
    if (std::string(c.error).empty()) {
      ASSERT_TRUE(data.ok()) << c.name << ": " << data.status().ToString();
      EXPECT_EQ(*data, c.want) << c.name;
    } else {
      ASSERT_FALSE(data.ok()) << c.name;
      EXPECT_EQ(data.status().code(), StatusCode::kFailedPrecondition) << c.name;
      EXPECT_NE(data.status().message().find(c.error), std::string::npos) << c.name << ": " << data.status().message();
    }
  }
}

}  // namespace
}  // namespace moor::runtime
