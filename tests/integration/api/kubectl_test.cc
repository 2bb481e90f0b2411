// The real kubectl (/usr/bin/kubectl) against moor's API with moor's kubeconfig.
#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "api_test_env.h"
#include "base64.h"
#include "moor/testing/process.h"

namespace moor::api {
namespace {

using testenv::ApiTestEnv;
using testenv::DeploymentJson;
using testenv::ServiceJson;

using testenv::kKubectl;

class KubectlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testenv::KubectlInstalled());
  }

  moor::testing::CommandResult Kubectl(const std::vector<std::string>& args) { return env_.Kubectl(args); }

  ApiTestEnv env_;
};

TEST_F(KubectlTest, GetAcrossNamespaces) {
  ASSERT_TRUE(env_.client().Create(DeploymentJson("web", "default", 3)).ok());
  ASSERT_TRUE(env_.client().Create(DeploymentJson("api", "prod", 1, "api")).ok());
  ASSERT_TRUE(env_.client().Create(ServiceJson("web")).ok());
  auto r = Kubectl({"get", "deploy,svc,pods", "-A"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("NAMESPACE"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("UP-TO-DATE"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("deployment.apps/web"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("deployment.apps/api"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("service/web"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("80:30080/TCP"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0/3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("prod"), std::string::npos) << r.out;

  auto wide = Kubectl({"get", "deployments", "-o", "wide"});
  ASSERT_EQ(wide.exit_code, 0) << wide.err;
  EXPECT_NE(wide.out.find("busybox:1.36"), std::string::npos) << wide.out;
  EXPECT_NE(wide.out.find("app=web"), std::string::npos) << wide.out;
  EXPECT_EQ(wide.out.find("prod"), std::string::npos) << wide.out;  // only the default namespace

  auto labeled = Kubectl({"get", "deploy", "-A", "-l", "app=api", "-o", "name"});
  ASSERT_EQ(labeled.exit_code, 0) << labeled.err;
  EXPECT_EQ(labeled.out, "deployment.apps/api\n");
}

TEST_F(KubectlTest, GetOneAsJsonMatchesTheStore) {
  ASSERT_TRUE(env_.client().Create(DeploymentJson("web", "default", 3)).ok());
  auto r = Kubectl({"get", "deploy", "web", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto obj = manifests::Object::parse(r.out);
  auto record = env_.store().Get({"Deployment", "default", "web"});
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(obj["kind"], "Deployment");
  EXPECT_EQ(obj["apiVersion"], "apps/v1");
  EXPECT_EQ(obj["metadata"]["name"], "web");
  EXPECT_EQ(obj["metadata"]["uid"], record->object["metadata"]["uid"]);
  EXPECT_EQ(obj["metadata"]["resourceVersion"], record->object["metadata"]["resourceVersion"]);
  EXPECT_EQ(obj["spec"], record->object["spec"]);
  EXPECT_EQ(obj["spec"]["template"]["spec"]["containers"][0]["image"], "busybox:1.36");

  auto missing = Kubectl({"get", "deploy", "nope"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("deployments.apps \"nope\" not found"), std::string::npos) << missing.err;
}

TEST_F(KubectlTest, DeleteRemovesTheObject) {
  ASSERT_TRUE(env_.client().Create(DeploymentJson("web", "default", 3)).ok());
  auto r = Kubectl({"delete", "deploy", "web"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("deployment.apps \"web\" deleted"), std::string::npos) << r.out;
  EXPECT_EQ(env_.store().Get({"Deployment", "default", "web"}).status().code(), StatusCode::kNotFound);
  auto again = Kubectl({"delete", "deploy", "web"});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("not found"), std::string::npos) << again.err;
}

TEST_F(KubectlTest, GetNamespaces) {
  manifests::Object ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "prod"}}}};
  ASSERT_TRUE(env_.client().Create(ns).ok());
  auto r = Kubectl({"get", "ns"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("STATUS"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("prod"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Active"), std::string::npos) << r.out;
}

TEST_F(KubectlTest, WithoutTheTokenKubectlIsRefused) {
  Kubeconfig no_token = env_.kubeconfig();
  no_token.token = "wrong";
  ASSERT_TRUE(WriteKubeconfig(env_.kubeconfig_path(), no_token).ok());
  auto r = Kubectl({"get", "pods"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("You must be logged in to the server"), std::string::npos) << r.err;
}

TEST_F(KubectlTest, GeneratorCommandsSendingProtobufGetAClearRefusal) {
  // kubectl's generators send protobuf; moor decodes it for ConfigMap, Secret, Namespace,
  // Service, Deployment, Job and CronJob. For other kinds the answer (415) names the kind and
  // what to send instead.
  auto r = Kubectl({"create", "quota", "q", "--hard=pods=2"});
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_NE(r.err.find("v1 ResourceQuota"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("moor decodes protobuf only for ConfigMap, Secret, Namespace, Service, Deployment, Job and "
                       "CronJob"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("kubectl create -f FILE"), std::string::npos) << r.err;
  EXPECT_EQ(env_.store().Get(store::ObjectKey{"ResourceQuota", "default", "q"}).status().code(),
            StatusCode::kNotFound);

  // What the message suggests works.
  auto yaml = Kubectl({"create", "quota", "q", "--hard=pods=2", "--dry-run=client", "-o", "yaml"});
  ASSERT_EQ(yaml.exit_code, 0) << yaml.err;
  auto created = moor::testing::RunCommand({kKubectl, "create", "-f", "-"}, env_.KubectlEnv(), yaml.out);
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_EQ(created.out, "resourcequota/q created\n");
}

TEST_F(KubectlTest, CreateDeploymentAndExposeIt) {
  auto r = Kubectl({"create", "deployment", "web", "--image=busybox:1.36", "--replicas=2", "--port=8000", "--",
                    "sleep", "3600"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "deployment.apps/web created\n");
  auto record = env_.store().Get(store::ObjectKey{"Deployment", "default", "web"});
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  const manifests::Object& spec = record->object["spec"];
  EXPECT_EQ(spec["replicas"], 2) << spec.dump();
  EXPECT_EQ(spec["selector"], manifests::Object::parse(R"({"matchLabels": {"app": "web"}})")) << spec.dump();
  EXPECT_EQ(spec["revisionHistoryLimit"], 10) << spec.dump();  // defaulted by the normal path
  const manifests::Object& container = spec["template"]["spec"]["containers"][0];
  EXPECT_EQ(container["name"], "busybox") << container.dump();
  EXPECT_EQ(container["image"], "busybox:1.36") << container.dump();
  EXPECT_EQ(container["command"], manifests::Object::parse(R"(["sleep", "3600"])")) << container.dump();
  EXPECT_EQ(container["ports"], manifests::Object::parse(R"([{"containerPort": 8000, "protocol": "TCP"}])"))
      << container.dump();
  EXPECT_EQ(spec["template"]["spec"]["restartPolicy"], "Always") << spec.dump();

  // `kubectl expose` reads the deployment and sends the Service as JSON.
  auto exposed = Kubectl({"expose", "deploy", "web", "--port", "80", "--target-port", "8000"});
  ASSERT_EQ(exposed.exit_code, 0) << exposed.err;
  EXPECT_EQ(exposed.out, "service/web exposed\n");
  auto svc = env_.store().Get(store::ObjectKey{"Service", "default", "web"});
  ASSERT_TRUE(svc.ok()) << svc.status().ToString();
  EXPECT_EQ(svc->object["spec"]["selector"], manifests::Object::parse(R"({"app": "web"})")) << svc->object.dump();
  EXPECT_EQ(svc->object["spec"]["ports"][0]["port"], 80) << svc->object.dump();
  EXPECT_EQ(svc->object["spec"]["ports"][0]["targetPort"], 8000) << svc->object.dump();
  EXPECT_EQ(svc->object["spec"]["type"], "ClusterIP") << svc->object.dump();
}

TEST_F(KubectlTest, CreateServices) {
  auto nodeport = Kubectl({"create", "service", "nodeport", "web", "--tcp=80:8000", "--node-port=30080"});
  ASSERT_EQ(nodeport.exit_code, 0) << nodeport.err;
  EXPECT_EQ(nodeport.out, "service/web created\n");
  auto web = env_.store().Get(store::ObjectKey{"Service", "default", "web"});
  ASSERT_TRUE(web.ok()) << web.status().ToString();
  const manifests::Object& spec = web->object["spec"];
  EXPECT_EQ(spec["type"], "NodePort") << spec.dump();
  EXPECT_EQ(spec["selector"], manifests::Object::parse(R"({"app": "web"})")) << spec.dump();
  ASSERT_EQ(spec["ports"].size(), 1u) << spec.dump();
  EXPECT_EQ(spec["ports"][0]["name"], "80-8000") << spec.dump();
  EXPECT_EQ(spec["ports"][0]["port"], 80) << spec.dump();
  EXPECT_EQ(spec["ports"][0]["targetPort"], 8000) << spec.dump();
  EXPECT_EQ(spec["ports"][0]["nodePort"], 30080) << spec.dump();
  EXPECT_EQ(spec["ports"][0]["protocol"], "TCP") << spec.dump();

  auto clusterip = Kubectl({"create", "service", "clusterip", "api", "--tcp=443:8443"});
  ASSERT_EQ(clusterip.exit_code, 0) << clusterip.err;
  auto api = env_.store().Get(store::ObjectKey{"Service", "default", "api"});
  ASSERT_TRUE(api.ok()) << api.status().ToString();
  EXPECT_EQ(api->object["spec"]["type"], "ClusterIP") << api->object.dump();
  EXPECT_EQ(api->object["spec"]["ports"][0]["targetPort"], 8443) << api->object.dump();

  auto external = Kubectl({"create", "service", "externalname", "db", "--external-name=db.example.com"});
  ASSERT_EQ(external.exit_code, 0) << external.err;
  auto db = env_.store().Get(store::ObjectKey{"Service", "default", "db"});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ(db->object["spec"]["type"], "ExternalName") << db->object.dump();
  EXPECT_EQ(db->object["spec"]["externalName"], "db.example.com") << db->object.dump();
}

TEST_F(KubectlTest, CreateJobAndCronJob) {
  auto job = Kubectl({"create", "job", "once", "--image=busybox:1.36", "--", "echo", "hi"});
  ASSERT_EQ(job.exit_code, 0) << job.err;
  EXPECT_EQ(job.out, "job.batch/once created\n");
  auto once = env_.store().Get(store::ObjectKey{"Job", "default", "once"});
  ASSERT_TRUE(once.ok()) << once.status().ToString();
  const manifests::Object& pod = once->object["spec"]["template"]["spec"];
  EXPECT_EQ(pod["restartPolicy"], "Never") << once->object.dump();
  EXPECT_EQ(pod["containers"][0]["image"], "busybox:1.36") << once->object.dump();
  EXPECT_EQ(pod["containers"][0]["command"], manifests::Object::parse(R"(["echo", "hi"])")) << once->object.dump();
  EXPECT_EQ(once->object["spec"]["backoffLimit"], 6) << once->object.dump();  // defaulted

  auto cron = Kubectl({"create", "cronjob", "tick", "--image=busybox:1.36", "--schedule=*/5 * * * *", "--", "date"});
  ASSERT_EQ(cron.exit_code, 0) << cron.err;
  EXPECT_EQ(cron.out, "cronjob.batch/tick created\n");
  auto tick = env_.store().Get(store::ObjectKey{"CronJob", "default", "tick"});
  ASSERT_TRUE(tick.ok()) << tick.status().ToString();
  const manifests::Object& spec = tick->object["spec"];
  EXPECT_EQ(spec["schedule"], "*/5 * * * *") << spec.dump();
  EXPECT_EQ(spec["concurrencyPolicy"], "Allow") << spec.dump();  // defaulted
  EXPECT_EQ(spec["jobTemplate"]["metadata"]["name"], "tick") << spec.dump();
  const manifests::Object& template_spec = spec["jobTemplate"]["spec"]["template"]["spec"];
  EXPECT_EQ(template_spec["restartPolicy"], "OnFailure") << spec.dump();
  EXPECT_EQ(template_spec["containers"][0]["command"], manifests::Object::parse(R"(["date"])")) << spec.dump();

  // A job from the cron job: kubectl reads the CronJob (JSON) and sends the Job as protobuf
  // with an owner reference.
  auto manual = Kubectl({"create", "job", "manual", "--from=cronjob/tick"});
  ASSERT_EQ(manual.exit_code, 0) << manual.err;
  auto from = env_.store().Get(store::ObjectKey{"Job", "default", "manual"});
  ASSERT_TRUE(from.ok()) << from.status().ToString();
  EXPECT_EQ(from->object["metadata"]["ownerReferences"][0]["name"], "tick") << from->object.dump();
  EXPECT_EQ(from->object["metadata"]["ownerReferences"][0]["uid"], tick->object["metadata"]["uid"])
      << from->object.dump();
}

TEST_F(KubectlTest, CreateDescribeAndWatch) {
  moor::testing::WriteFile(env_.dir() / "svc.json", ServiceJson("svc").dump());
  // Validated on the server: kubectl finds ?fieldValidation in moor's OpenAPI v3 documents.
  auto created = Kubectl({"create", "-f", (env_.dir() / "svc.json").string()});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_EQ(created.out, "service/svc created\n");
  ASSERT_TRUE(env_.store().Get({"Service", "default", "svc"}).ok());

  ASSERT_TRUE(env_.client().Create(DeploymentJson("web", "default", 3)).ok());
  auto described = Kubectl({"describe", "deploy", "web"});
  ASSERT_EQ(described.exit_code, 0) << described.err;
  EXPECT_NE(described.out.find("3 desired"), std::string::npos) << described.out;
  EXPECT_NE(described.out.find("busybox:1.36"), std::string::npos) << described.out;

  // `get -w` prints the current table from the watch stream, then waits (killed after 3 s).
  auto watched = moor::testing::RunCommand(
      {kKubectl, "get", "deploy", "-w"},
      {{"KUBECONFIG", env_.kubeconfig_path().string()}, {"HOME", env_.dir().path().string()}}, "",
      std::chrono::seconds(3));
  EXPECT_NE(watched.out.find("UP-TO-DATE"), std::string::npos) << watched.out << watched.err;
  EXPECT_NE(watched.out.find("web"), std::string::npos) << watched.out << watched.err;
}

// Runs a program the test needs (openssl), failing the test with what is missing.
moor::testing::CommandResult RunTool(const std::vector<std::string>& argv) {
  auto r = moor::testing::RunCommand(argv);
  EXPECT_EQ(r.exit_code, 0) << argv[0] << " failed (is it installed? Debian package: " << argv[0] << "): " << r.err;
  return r;
}

TEST_F(KubectlTest, CreateConfigMapFromLiteralsAndFiles) {
  std::filesystem::path text = env_.dir() / "app.conf";
  std::filesystem::path blob = env_.dir() / "logo.bin";
  moor::testing::WriteFile(text, "port=8080\n");
  moor::testing::WriteFile(blob, std::string("\x00\x01\x02\xff" "binary\n", 11));
  auto r = Kubectl({"create", "configmap", "settings", "--from-literal=mode=prod", "--from-literal=level=3",
                    "--from-file=" + text.string(), "--from-file=logo=" + blob.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "configmap/settings created\n");
  auto record = env_.store().Get(store::ObjectKey{"ConfigMap", "default", "settings"});
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(record->object["data"], manifests::Object::parse(R"({"mode": "prod", "level": "3", "app.conf": "port=8080\n"})"))
      << record->object.dump();
  EXPECT_EQ(record->object["binaryData"], manifests::Object::parse(R"({"logo": "AAEC/2JpbmFyeQo="})"))
      << record->object.dump();

  // In another namespace, and read back through kubectl.
  auto other = Kubectl({"create", "cm", "other", "-n", "team", "--from-literal=a=b"});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  auto got = Kubectl({"get", "cm", "other", "-n", "team", "-o", "jsonpath={.data.a}"});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  EXPECT_EQ(got.out, "b");

  // A second create of the same name is refused as kube-apiserver refuses it.
  auto again = Kubectl({"create", "configmap", "settings", "--from-literal=a=b"});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
}

TEST_F(KubectlTest, CreateGenericAndTlsSecrets) {
  auto generic = Kubectl({"create", "secret", "generic", "creds", "--from-literal=user=admin",
                          "--from-literal=pass=s3cr=t"});
  ASSERT_EQ(generic.exit_code, 0) << generic.err;
  EXPECT_EQ(generic.out, "secret/creds created\n");
  auto creds = env_.store().Get(store::ObjectKey{"Secret", "default", "creds"});
  ASSERT_TRUE(creds.ok()) << creds.status().ToString();
  EXPECT_EQ(creds->object["data"], manifests::Object::parse(R"({"user": "YWRtaW4=", "pass": "czNjcj10"})"))
      << creds->object.dump();
  EXPECT_EQ(creds->object["type"], "Opaque") << creds->object.dump();  // defaulted, as by kube-apiserver

  std::filesystem::path key = env_.dir() / "tls.key";
  std::filesystem::path cert = env_.dir() / "tls.crt";
  RunTool({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
           key.string(), "-out", cert.string(), "-days", "1", "-subj", "/CN=web.example"});
  auto tls = Kubectl({"create", "secret", "tls", "web-tls", "--cert=" + cert.string(), "--key=" + key.string()});
  ASSERT_EQ(tls.exit_code, 0) << tls.err;
  EXPECT_EQ(tls.out, "secret/web-tls created\n");
  auto stored = env_.store().Get(store::ObjectKey{"Secret", "default", "web-tls"});
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->object["type"], "kubernetes.io/tls");
  auto read = [](const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  EXPECT_EQ(stored->object["data"]["tls.crt"], Base64Encode(read(cert))) << stored->object.dump();
  EXPECT_EQ(stored->object["data"]["tls.key"], Base64Encode(read(key))) << stored->object.dump();
}

TEST_F(KubectlTest, CreateNamespace) {
  auto r = Kubectl({"create", "namespace", "prod"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "namespace/prod created\n");
  auto record = env_.store().Get(store::ObjectKey{"Namespace", "", "prod"});
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(record->object["metadata"]["name"], "prod");
  auto listed = Kubectl({"get", "ns", "prod", "-o", "name"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(listed.out, "namespace/prod\n");
}

TEST_F(KubectlTest, MalformedProtobufBodiesAreBadRequests) {
  // Not kubectl, but what the API answers a broken protobuf body with: 400 naming the problem.
  std::string answer = env_.Curl("POST", "/api/v1/namespaces/default/configmaps", "{\"kind\":\"ConfigMap\"}", true,
                                 "application/vnd.kubernetes.protobuf");
  EXPECT_EQ(answer.substr(0, 4), "400\n") << answer;
  EXPECT_NE(answer.find("does not start with the magic"), std::string::npos) << answer;
}

TEST_F(KubectlTest, ProtobufBodiesWithFieldsMoorDoesNotKnowAreUnsupported) {
  // Not kubectl: a Deployment whose metadata sets field 15 (not decoded) is refused with 415
  // naming the field, never stored without it.
  std::string type_meta = std::string("\x0a\x07") + "apps/v1" + "\x12\x0a" + "Deployment";
  std::string raw = std::string("\x0a\x08\x0a\x03") + "web" + "\x7a\x01" + "x";
  std::string body = std::string("k8s\0", 4) + "\x0a" + static_cast<char>(type_meta.size()) + type_meta + "\x12" +
                     static_cast<char>(raw.size()) + raw;
  std::string answer = env_.Curl("POST", "/apis/apps/v1/namespaces/default/deployments", body, true,
                                 "application/vnd.kubernetes.protobuf");
  EXPECT_EQ(answer.substr(0, 4), "415\n") << answer;
  EXPECT_NE(answer.find("moor cannot decode field 15 of ObjectMeta sent as protobuf"), std::string::npos) << answer;
  EXPECT_EQ(env_.store().Get(store::ObjectKey{"Deployment", "default", "web"}).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace moor::api
