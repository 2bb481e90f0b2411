// DecodeProtobufObject (api/src/protobuf_body.h) on the bodies kubectl 1.32 sends for
// `kubectl create deployment|service|job|cronjob` (captured from a throw-away logging HTTP server
// on 127.0.0.1, checked with `protoc --decode_raw`), and on hand-built messages for the fields
// those generators do not set. `kubectl expose` sends JSON, not protobuf.
#include <string>

#include <gtest/gtest.h>

#include "protobuf_body.h"
#include "protobuf_test_util.h"

namespace moor::api {
namespace {

using manifests::Object;
using namespace pbtest;  // NOLINT(google-build-using-namespace): test helpers

// kubectl create deployment web --image=busybox:1.36 --replicas=2 --port=8000 -- sleep 3600
constexpr const char* kDeployment =
    "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412d0010a1f0a0377656212001a0022002a003200380042"
    "005a0a0a036170701203776562129e010802120c0a0a0a0361707012037765621a83010a1c0a0012001a0022002a00320038"
    "0042005a0a0a036170701203776562126312450a0762757379626f78120c62757379626f783a312e33361a05736c6565701a"
    "04333630302a00320b0a00100018c03e22002a0042006a007200800100880100900100a201001a00320042004a0052005800"
    "600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200";

// kubectl create deployment multi --image=busybox:1.36 --image=nginx:1.27 --port=80 -n team
constexpr const char* kDeploymentTwoImages =
    "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412f7010a270a056d756c746912001a047465616d22002a"
    "003200380042005a0c0a0361707012056d756c746912bd010801120e0a0c0a0361707012056d756c74691aa0010a1e0a0012"
    "001a0022002a003200380042005a0c0a0361707012056d756c7469127e12370a0762757379626f78120c62757379626f783a"
    "312e33362a00320a0a001000185022002a0042006a007200800100880100900100a2010012270a056e67696e78120a6e6769"
    "6e783a312e32372a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a"
    "0100c2010022020a00280038001a0c0800100018002000280038001a002200";

// kubectl create service nodeport web --tcp=80:8000 --node-port=30080
constexpr const char* kServiceNodePort =
    "6b3873000a0d0a027631120753657276696365126a0a1f0a0377656212001a0022002a003200380042005a0a0a0361707012"
    "0377656212430a1d0a0738302d38303030120354435018502207080010c03e1a002880eb01120a0a0361707012037765621a"
    "0022084e6f6465506f72743a00420052005a00600068001a020a001a002200";

// kubectl create service loadbalancer web --tcp=443:8443
constexpr const char* kServiceLoadBalancer =
    "6b3873000a0d0a027631120753657276696365126e0a1f0a0377656212001a0022002a003200380042005a0a0a0361707012"
    "0377656212470a1d0a083434332d38343433120354435018bb032207080010fb411a002800120a0a0361707012037765621a"
    "00220c4c6f616442616c616e6365723a00420052005a00600068001a020a001a002200";

// kubectl create service externalname ext --external-name=db.example.com
constexpr const char* kServiceExternalName =
    "6b3873000a0d0a027631120753657276696365125d0a1f0a0365787412001a0022002a003200380042005a0a0a0361707012"
    "036578741236120a0a0361707012036578741a00220c45787465726e616c4e616d653a004200520e64622e6578616d706c65"
    "2e636f6d5a00600068001a020a001a002200";

// kubectl create service clusterip hl --clusterip=None
constexpr const char* kServiceHeadless =
    "6b3873000a0d0a027631120753657276696365124d0a1d0a02686c12001a0022002a003200380042005a090a036170701202"
    "686c122812090a036170701202686c1a044e6f6e652209436c757374657249503a00420052005a00600068001a020a001a00"
    "2200";

// kubectl create job once --image=busybox:1.36 -- echo hi
constexpr const char* kJob =
    "6b3873000a0f0a0862617463682f763112034a6f62128d010a140a046f6e636512001a0022002a00320038004200126b3269"
    "0a100a0012001a0022002a00320038004200125512320a046f6e6365120c62757379626f783a312e33361a046563686f1a02"
    "68692a0042006a007200800100880100900100a201001a054e65766572320042004a0052005800600068008201008a01009a"
    "0100c201001a082000280030003a001a002200";

// kubectl create job manual --from=cronjob/tick (the server answered GET cronjob tick with uid u1)
constexpr const char* kJobFromCronJob =
    "6b3873000a0f0a0862617463682f763112034a6f6212d7010a640a066d616e75616c12001a0022002a00320038004200622b"
    "0a2163726f6e6a6f622e6b756265726e657465732e696f2f696e7374616e746961746512066d616e75616c6a1f0a0743726f"
    "6e4a6f621a047469636b220275312a0862617463682f76313001126532630a100a0012001a0022002a00320038004200124f"
    "12280a047469636b120c62757379626f783a312e33362a0042006a007200800100880100900100a201001a094f6e4661696c"
    "757265320042004a0052005800600068008201008a01009a0100c201001a082000280030003a001a002200";

// kubectl create cronjob tick --image=busybox:1.36 --schedule="*/5 * * * *" -- date
constexpr const char* kCronJob =
    "6b3873000a130a0862617463682f7631120743726f6e4a6f6212b0010a140a047469636b12001a0022002a00320038004200"
    "1295010a0b2a2f35202a202a202a202a1a002a83010a140a047469636b12001a0022002a00320038004200126b32690a100a"
    "0012001a0022002a003200380042001255122e0a047469636b120c62757379626f783a312e33361a04646174652a0042006a"
    "007200800100880100900100a201001a094f6e4661696c757265320042004a0052005800600068008201008a01009a0100c2"
    "01001a001a002200";

TEST(ProtobufKindsTest, CreateDeployment) {
  EXPECT_EQ(Decode(FromHex(kDeployment)), Object::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "strategy": {},
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "busybox", "image": "busybox:1.36",
                                                   "command": ["sleep", "3600"],
                                                   "ports": [{"containerPort": 8000}], "resources": {}}]}}}})"))
      << Decode(FromHex(kDeployment)).dump();
  EXPECT_EQ(Decode(FromHex(kDeploymentTwoImages)), Object::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "multi", "namespace": "team", "labels": {"app": "multi"}},
    "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "multi"}}, "strategy": {},
             "template": {"metadata": {"labels": {"app": "multi"}},
                          "spec": {"containers": [
                            {"name": "busybox", "image": "busybox:1.36", "ports": [{"containerPort": 80}],
                             "resources": {}},
                            {"name": "nginx", "image": "nginx:1.27", "resources": {}}]}}}})"))
      << Decode(FromHex(kDeploymentTwoImages)).dump();
}

TEST(ProtobufKindsTest, CreateService) {
  EXPECT_EQ(Decode(FromHex(kServiceNodePort)), Object::parse(R"({
    "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {"ports": [{"name": "80-8000", "protocol": "TCP", "port": 80, "targetPort": 8000, "nodePort": 30080}],
             "selector": {"app": "web"}, "type": "NodePort"}})"))
      << Decode(FromHex(kServiceNodePort)).dump();
  EXPECT_EQ(Decode(FromHex(kServiceLoadBalancer)), Object::parse(R"({
    "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {"ports": [{"name": "443-8443", "protocol": "TCP", "port": 443, "targetPort": 8443}],
             "selector": {"app": "web"}, "type": "LoadBalancer"}})"))
      << Decode(FromHex(kServiceLoadBalancer)).dump();
  EXPECT_EQ(Decode(FromHex(kServiceExternalName)), Object::parse(R"({
    "apiVersion": "v1", "kind": "Service", "metadata": {"name": "ext", "labels": {"app": "ext"}},
    "spec": {"selector": {"app": "ext"}, "type": "ExternalName", "externalName": "db.example.com"}})"))
      << Decode(FromHex(kServiceExternalName)).dump();
  EXPECT_EQ(Decode(FromHex(kServiceHeadless)), Object::parse(R"({
    "apiVersion": "v1", "kind": "Service", "metadata": {"name": "hl", "labels": {"app": "hl"}},
    "spec": {"selector": {"app": "hl"}, "clusterIP": "None", "type": "ClusterIP"}})"))
      << Decode(FromHex(kServiceHeadless)).dump();
}

TEST(ProtobufKindsTest, CreateJobAndCronJob) {
  EXPECT_EQ(Decode(FromHex(kJob)), Object::parse(R"({
    "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once"},
    "spec": {"template": {"metadata": {},
                          "spec": {"containers": [{"name": "once", "image": "busybox:1.36", "command": ["echo", "hi"],
                                                   "resources": {}}],
                                   "restartPolicy": "Never"}}}})"))
      << Decode(FromHex(kJob)).dump();
  EXPECT_EQ(Decode(FromHex(kCronJob)), Object::parse(R"({
    "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "tick"},
    "spec": {"schedule": "*/5 * * * *",
             "jobTemplate": {"metadata": {"name": "tick"},
                             "spec": {"template": {"metadata": {},
                                                   "spec": {"containers": [{"name": "tick", "image": "busybox:1.36",
                                                                            "command": ["date"], "resources": {}}],
                                                            "restartPolicy": "OnFailure"}}}}}})"))
      << Decode(FromHex(kCronJob)).dump();
  EXPECT_EQ(Decode(FromHex(kJobFromCronJob)), Object::parse(R"({
    "apiVersion": "batch/v1", "kind": "Job",
    "metadata": {"name": "manual", "annotations": {"cronjob.kubernetes.io/instantiate": "manual"},
                 "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": "tick", "uid": "u1",
                                      "controller": true}]},
    "spec": {"template": {"metadata": {},
                          "spec": {"containers": [{"name": "tick", "image": "busybox:1.36", "resources": {}}],
                                   "restartPolicy": "OnFailure"}}}})"))
      << Decode(FromHex(kJobFromCronJob)).dump();
}

// meta.v1.Time / intstr.IntOrString / resource.Quantity and pointer fields, hand-built.
std::string IntOrStr(std::int32_t i) { return VarintField(1, 0) + VarintField(2, static_cast<std::uint32_t>(i)); }
std::string IntOrStr(std::string_view s) { return VarintField(1, 1) + Len(3, s); }
std::string Quantity(std::string_view s) { return Len(1, s); }

TEST(ProtobufKindsTest, FieldsTheGeneratorsDoNotSet) {
  std::string container = Len(1, "app") + Len(2, "busybox:1.36") + Len(4, "-c") + Len(5, "/srv") +
                          Len(6, Len(1, "http") + VarintField(3, 8080) + Len(4, "TCP")) +
                          Len(7, Len(1, "MODE") + Len(2, "prod")) + Len(7, Len(1, "EMPTY")) +
                          Len(8, Len(1, Len(1, "cpu") + Len(2, Quantity("500m"))) +
                                     Len(2, Len(1, "memory") + Len(2, Quantity("64Mi")))) +
                          Len(14, "IfNotPresent") + VarintField(18, 1);
  std::string pod_spec = Len(2, container) + Len(3, "Always") + VarintField(4, 5) + Entry(7, "disk", "ssd") +
                         Len(8, "builder") + VarintField(11, 1) + Len(15, Len(1, "regcred")) +
                         Len(20, Len(1, "init") + Len(2, "busybox:1.36")) + VarintField(21, 0) + VarintField(25, 0);
  std::string selector = Entry(1, "app", "web") + Len(2, Len(1, "tier") + Len(2, "In") + Len(3, "a") + Len(3, "b"));
  std::string strategy = Len(1, "RollingUpdate") + Len(2, Len(1, IntOrStr(0)) + Len(2, IntOrStr("25%")));
  std::string spec = VarintField(1, 0) + Len(2, selector) + Len(3, Len(1, Entry(11, "app", "web")) + Len(2, pod_spec)) +
                     Len(4, strategy) + VarintField(5, 10) + VarintField(6, 3) + VarintField(9, 600);
  std::string meta = Len(1, "web") + Len(8, VarintField(1, 1700000000));
  EXPECT_EQ(Decode(Body("apps/v1", "Deployment", Len(1, meta) + Len(2, spec) + Len(3, VarintField(1, 4)))),
            Object::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "creationTimestamp": "2023-11-14T22:13:20Z"},
    "spec": {"replicas": 0, "minReadySeconds": 10, "revisionHistoryLimit": 3, "progressDeadlineSeconds": 600,
             "selector": {"matchLabels": {"app": "web"},
                          "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}]},
             "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "25%"}},
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "app", "image": "busybox:1.36", "args": ["-c"],
                                                   "workingDir": "/srv",
                                                   "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                                                   "env": [{"name": "MODE", "value": "prod"}, {"name": "EMPTY"}],
                                                   "resources": {"limits": {"cpu": "500m"},
                                                                 "requests": {"memory": "64Mi"}},
                                                   "imagePullPolicy": "IfNotPresent", "tty": true}],
                                   "restartPolicy": "Always", "terminationGracePeriodSeconds": 5,
                                   "nodeSelector": {"disk": "ssd"}, "serviceAccountName": "builder",
                                   "hostNetwork": true, "imagePullSecrets": [{"name": "regcred"}],
                                   "initContainers": [{"name": "init", "image": "busybox:1.36"}],
                                   "automountServiceAccountToken": false, "priority": 0}}}})"));

  std::string port = Len(1, "http") + VarintField(3, 80) + Len(4, IntOrStr("web")) + Len(6, "http");
  std::string svc = Len(1, port) + Len(1, VarintField(3, 53) + Len(2, "UDP")) + Len(3, "10.0.0.9") +
                    Len(5, "192.0.2.1") + Len(7, "ClientIP") + Len(9, "10.0.0.0/8") + Len(11, "Local") +
                    VarintField(12, 31000) + VarintField(13, 1) + Len(14, Len(1, VarintField(1, 600)));
  EXPECT_EQ(Decode(Body("v1", "Service", Len(1, Len(1, "svc")) + Len(2, svc) + Len(3, Len(1, Len(1, "x"))))),
            Object::parse(R"({
    "apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc"},
    "spec": {"ports": [{"name": "http", "port": 80, "targetPort": "web", "appProtocol": "http"},
                       {"port": 53, "protocol": "UDP"}],
             "clusterIP": "10.0.0.9", "externalIPs": ["192.0.2.1"], "sessionAffinity": "ClientIP",
             "loadBalancerSourceRanges": ["10.0.0.0/8"], "externalTrafficPolicy": "Local",
             "healthCheckNodePort": 31000, "publishNotReadyAddresses": true,
             "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 600}}}})"));

  std::string job_spec = VarintField(1, 2) + VarintField(2, 4) + VarintField(3, 120) + VarintField(5, 0) +
                         VarintField(7, 1) + VarintField(8, 60) + Len(9, "Indexed") + VarintField(10, 1) +
                         Len(6, Len(2, Len(2, Len(1, "j")) + Len(3, "Never")));
  std::string cron_spec = Len(1, "@hourly") + VarintField(2, 30) + Len(3, "Forbid") + VarintField(4, 0) +
                          Len(5, Len(1, Entry(11, "team", "a")) + Len(2, job_spec)) + VarintField(6, 1) +
                          VarintField(7, 2) + Len(8, "Etc/UTC");
  EXPECT_EQ(Decode(Body("batch/v1", "CronJob", Len(1, Len(1, "c")) + Len(2, cron_spec))), Object::parse(R"({
    "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
    "spec": {"schedule": "@hourly", "startingDeadlineSeconds": 30, "concurrencyPolicy": "Forbid", "suspend": false,
             "successfulJobsHistoryLimit": 1, "failedJobsHistoryLimit": 2, "timeZone": "Etc/UTC",
             "jobTemplate": {"metadata": {"labels": {"team": "a"}},
                             "spec": {"parallelism": 2, "completions": 4, "activeDeadlineSeconds": 120,
                                      "manualSelector": false, "backoffLimit": 1, "ttlSecondsAfterFinished": 60,
                                      "completionMode": "Indexed", "suspend": true,
                                      "template": {"spec": {"containers": [{"name": "j"}],
                                                            "restartPolicy": "Never"}}}}}})"));

  // A container without a name on the wire still has "name" (no omitempty in Go).
  Object bare = Decode(Body("batch/v1", "Job", Len(2, Len(6, Len(2, Len(2, ""))))));
  EXPECT_EQ(bare["spec"]["template"]["spec"]["containers"], Object::parse(R"([{"name": ""}])")) << bare.dump();
}

}  // namespace
}  // namespace moor::api
