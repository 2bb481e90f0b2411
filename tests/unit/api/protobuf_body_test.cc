// DecodeProtobufObject (api/src/protobuf_body.h) on bodies the real kubectl 1.32 sent for its
// generator commands (captured from a logging HTTP server, checked with `protoc --decode_raw`),
// on hand-built messages for fields kubectl's generators do not set, and on malformed bodies.
#include "protobuf_body.h"

#include <string>

#include <gtest/gtest.h>

#include "base64.h"
#include "protobuf_test_util.h"

namespace moor::api {
namespace {

using manifests::Object;
using namespace pbtest;  // NOLINT(google-build-using-namespace): test helpers

// kubectl create configmap settings --from-literal=a=b --from-literal=mode=prod
// kubectl create configmap files --from-file=text.txt --from-file=blob=bin.dat --from-literal=k=v
//   (text.txt: "hello\n"; bin.dat: 00 01 02 ff "binary\n")
// kubectl create secret generic creds --from-literal=user=admin --from-literal=pass='s3cr=t' --type=Opaque-custom
// kubectl create secret docker-registry regcred --docker-server=reg.example --docker-username=u
//   --docker-password=p --docker-email=e@x
// kubectl create namespace prod
// kubectl create configmap saved --from-literal=a=b --save-config
// kubectl create configmap other -n team --from-literal=a=b
// kubectl create secret tls t --cert=ec.crt --key=ec.key (a throw-away P-256 key made for this
//   fixture only; it protects nothing)
// kubectl create quota q --hard=pods=2

// cm_literals
constexpr const char* kCmLiterals =
    "6b3873000a0f0a0276311209436f6e6669674d617012300a180a0873657474696e677312001a0022002a0032003800420012"
    "060a0161120162120c0a046d6f6465120470726f641a002200";

// cm_files
constexpr const char* kCmFiles =
    "6b3873000a0f0a0276311209436f6e6669674d617012480a150a0566696c657312001a0022002a0032003800420012060a01"
    "6b12017612120a08746578742e747874120668656c6c6f0a1a130a04626c6f62120b000102ff62696e6172790a1a002200";

// secret_generic
constexpr const char* kSecretGeneric =
    "6b3873000a0c0a027631120653656372657412450a150a05637265647312001a0022002a00320038004200120e0a04706173"
    "731206733363723d74120d0a0475736572120561646d696e1a0d4f70617175652d637573746f6d1a002200";

// secret_docker
constexpr const char* kSecretDocker =
    "6b3873000a0c0a027631120653656372657412a5010a170a077265676372656412001a0022002a00320038004200126a0a11"
    "2e646f636b6572636f6e6669676a736f6e12557b226175746873223a7b227265672e6578616d706c65223a7b22757365726e"
    "616d65223a2275222c2270617373776f7264223a2270222c22656d61696c223a22654078222c2261757468223a2264547077"
    "227d7d7d1a1e6b756265726e657465732e696f2f646f636b6572636f6e6669676a736f6e1a002200";

// namespace
constexpr const char* kNamespace =
    "6b3873000a0f0a02763112094e616d657370616365121c0a140a0470726f6412001a0022002a0032003800420012001a020a"
    "001a002200";

// cm_saveconfig
constexpr const char* kCmSaveconfig =
    "6b3873000a0f0a0276311209436f6e6669674d617012c4010ab9010a05736176656412001a0022002a0032003800420062a1"
    "010a306b75626563746c2e6b756265726e657465732e696f2f6c6173742d6170706c6965642d636f6e66696775726174696f"
    "6e126d7b226b696e64223a22436f6e6669674d6170222c2261706956657273696f6e223a227631222c226d65746164617461"
    "223a7b226e616d65223a227361766564222c226372656174696f6e54696d657374616d70223a6e756c6c7d2c226461746122"
    "3a7b2261223a2262227d7d0a12060a01611201621a002200";

// cm_ns
constexpr const char* kCmNs =
    "6b3873000a0f0a0276311209436f6e6669674d617012230a190a056f7468657212001a047465616d22002a00320038004200"
    "12060a01611201621a002200";

// secret_tls_ec
constexpr const char* kSecretTlsEc =
    "6b3873000a0c0a027631120653656372657412e3060a110a017412001a0022002a0032003800420012ba040a07746c732e63"
    "727412ae042d2d2d2d2d424547494e2043455254494649434154452d2d2d2d2d0a4d494942627a4343415257674177494241"
    "674955577a72717a53737975724734585a724f654d5a734748354458566777436759494b6f5a497a6a3045417749770a4444"
    "454b4d416747413155454177774264444167467730794e6a45784d6a51794d7a517a4e445261474138794d5449324d54417a"
    "4d54497a4e444d304e466f770a4444454b4d41674741315545417777426444425a4d424d4742797147534d34394167454743"
    "437147534d3439417745484130494142464d6375785366335952750a7839446c6845674e39307575416c704a434e66354f4f"
    "61302f7a6e55702f347645536e582b6455464467696d7a306d3533484465496355734e7563586461354d0a572f514c2f4957"
    "6e7175576a557a42524d423047413155644467515742425152594a53524d2b687375613462585855433345494a6d576a384a"
    "6a416642674e560a48534d454744415767425152594a53524d2b687375613462585855433345494a6d576a384a6a41504267"
    "4e5648524d4241663845425441444151482f4d416f470a43437147534d343942414d43413067414d4555434951445876654e"
    "6d63484f5156556558442f32324d6b726c4634324d484635757a4e324b4f674c3566466f2b0a2b774967454e566270424571"
    "62486535726c31657751466572596c32677374644e43735155636e44397374636457733d0a2d2d2d2d2d454e442043455254"
    "494649434154452d2d2d2d2d0a12fd010a07746c732e6b657912f1012d2d2d2d2d424547494e2050524956415445204b4559"
    "2d2d2d2d2d0a4d494748416745414d424d4742797147534d34394167454743437147534d3439417745484247307761774942"
    "415151676957694e74483565314d46427a6c42560a726d49497359695065744e567a74515730526830562f614e5334656852"
    "414e4341415254484c73556e39324562736651355952494466644c72674a6153516a580a2b546a6d74503835314b662b4c78"
    "4570312f6e56425134497073394a75647877336948464c44626e4633577554467630432f79467036726c0a2d2d2d2d2d454e"
    "442050524956415445204b45592d2d2d2d2d0a1a116b756265726e657465732e696f2f746c731a002200";

// quota
constexpr const char* kQuota =
    "6b3873000a130a027631120d5265736f7572636551756f746112240a110a017112001a0022002a00320038004200120d0a0b"
    "0a04706f647312030a01321a001a002200";

TEST(ProtobufBodyTest, ConfigMapFromLiterals) {
  EXPECT_EQ(Decode(FromHex(kCmLiterals)), Object::parse(R"({
    "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
    "data": {"a": "b", "mode": "prod"}})"));
}

TEST(ProtobufBodyTest, ConfigMapFromFilesKeepsBinaryFilesInBinaryData) {
  EXPECT_EQ(Decode(FromHex(kCmFiles)), Object::parse(R"({
    "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "files"},
    "data": {"k": "v", "text.txt": "hello\n"},
    "binaryData": {"blob": "AAEC/2JpbmFyeQo="}})"));
}

TEST(ProtobufBodyTest, ConfigMapInANamespaceWithAnAnnotation) {
  EXPECT_EQ(Decode(FromHex(kCmNs)), Object::parse(R"({
    "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "other", "namespace": "team"},
    "data": {"a": "b"}})"));
  EXPECT_EQ(Decode(FromHex(kCmSaveconfig)), Object::parse(R"({
    "apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {"name": "saved", "annotations": {"kubectl.kubernetes.io/last-applied-configuration":
      "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"saved\",\"creationTimestamp\":null},\"data\":{\"a\":\"b\"}}\n"}},
    "data": {"a": "b"}})"));
}

TEST(ProtobufBodyTest, GenericSecretWithAType) {
  EXPECT_EQ(Decode(FromHex(kSecretGeneric)), Object::parse(R"({
    "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds"},
    "data": {"pass": "czNjcj10", "user": "YWRtaW4="}, "type": "Opaque-custom"})"));
}

TEST(ProtobufBodyTest, DockerRegistrySecret) {
  std::string config =
      R"({"auths":{"reg.example":{"username":"u","password":"p","email":"e@x","auth":"dTpw"}}})";
  Object expected = Object::parse(R"({
    "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "regcred"},
    "type": "kubernetes.io/dockerconfigjson"})");
  expected["data"][".dockerconfigjson"] = Base64Encode(config);
  EXPECT_EQ(Decode(FromHex(kSecretDocker)), expected);
}

TEST(ProtobufBodyTest, TlsSecret) {
  Object obj = Decode(FromHex(kSecretTlsEc));
  EXPECT_EQ(obj["type"], "kubernetes.io/tls");
  EXPECT_EQ(obj["metadata"], Object::parse(R"({"name": "t"})"));
  ASSERT_EQ(obj["data"].size(), 2u) << obj.dump();
  auto cert = Base64Decode(obj["data"].value("tls.crt", ""));
  auto key = Base64Decode(obj["data"].value("tls.key", ""));
  ASSERT_TRUE(cert && key) << obj.dump();
  EXPECT_EQ(cert->rfind("-----BEGIN CERTIFICATE-----\nMIIBbzCCARWgAwIBAgIUWzrqzSsyurG4XZrOeMZsGH5DXVgw", 0), 0u) << *cert;
  EXPECT_TRUE(cert->ends_with("stcdWs=\n-----END CERTIFICATE-----\n")) << *cert;
  EXPECT_EQ(key->rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u) << *key;
  EXPECT_TRUE(key->ends_with("\n-----END PRIVATE KEY-----\n")) << *key;
}

TEST(ProtobufBodyTest, Namespace) {
  EXPECT_EQ(Decode(FromHex(kNamespace)), Object::parse(R"({
    "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod"}, "spec": {}})"));
}

TEST(ProtobufBodyTest, FieldsKubectlsGeneratorsDoNotSet) {
  std::string owner = Len(5, "apps/v1") + Len(1, "Deployment") + Len(3, "web") + Len(4, "u-1") + VarintField(6, 1) +
                      VarintField(7, 0);
  std::string meta = Len(1, "cfg") + Len(2, "cfg-") + Len(5, "uid-1") + Len(6, "42") + VarintField(7, 3) +
                     Len(8, VarintField(1, 1700000000) + VarintField(2, 5)) + VarintField(10, 30) +
                     Entry(11, "app", "web") + Entry(11, "tier", "") + Entry(12, "note", "x") + Len(13, owner) +
                     Len(14, "example.com/a") + Len(14, "example.com/b") + Len(17, "managed fields are dropped");
  // Unknown fields with empty / zero values of every wire type are skipped: varint 99, fixed64
  // 98, fixed32 97, bytes 96, and a message 95 of only empty fields (kubectl writes every
  // non-pointer field, set or not).
  std::string unknown = VarintField(99, 0) + Tag(98, 1) + std::string(8, '\0') + Tag(97, 5) + std::string(4, '\0') +
                        Len(96, "") + Len(95, Len(1, "") + VarintField(2, 0) + Len(3, Len(1, "")));
  std::string raw = Len(1, meta) + Entry(2, "k", "v") + VarintField(4, 1) + unknown;
  EXPECT_EQ(Decode(Body("v1", "ConfigMap", raw)), Object::parse(R"({
    "apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {"name": "cfg", "generateName": "cfg-", "uid": "uid-1", "resourceVersion": "42", "generation": 3,
                 "creationTimestamp": "2023-11-14T22:13:20Z", "deletionGracePeriodSeconds": 30,
                 "labels": {"app": "web", "tier": ""}, "annotations": {"note": "x"},
                 "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "u-1",
                                      "controller": true, "blockOwnerDeletion": false}],
                 "finalizers": ["example.com/a", "example.com/b"]},
    "data": {"k": "v"}, "immutable": true})"));

  std::string secret = Len(1, Len(1, "s")) + Entry(4, "plain", "text") + VarintField(5, 0) + unknown;
  EXPECT_EQ(Decode(Body("v1", "Secret", secret)), Object::parse(R"({
    "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"plain": "text"},
    "immutable": false})"));

  std::string ns = Len(1, Len(1, "team")) + Len(2, Len(1, "kubernetes") + unknown) + Len(3, Len(1, "Active"));
  EXPECT_EQ(Decode(Body("v1", "Namespace", ns)), Object::parse(R"({
    "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}, "spec": {"finalizers": ["kubernetes"]}})"));
}

TEST(ProtobufBodyTest, OtherKindsAreRefusedNamingTheKind) {
  auto decoded = DecodeProtobufObject(FromHex(kQuota));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(decoded.status().message().find("v1 ResourceQuota"), std::string::npos) << decoded.status().message();
  EXPECT_NE(decoded.status().message().find("moor decodes protobuf only for ConfigMap, Secret, Namespace, Service, Deployment, Job and CronJob"),
            std::string::npos)
      << decoded.status().message();
  EXPECT_NE(decoded.status().message().find("kubectl create -f FILE"), std::string::npos)
      << decoded.status().message();

  // A ConfigMap of another version is not a v1 ConfigMap.
  auto other = DecodeProtobufObject(Body("v2", "ConfigMap", ""));
  EXPECT_EQ(other.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(other.status().message().find("v2 ConfigMap"), std::string::npos) << other.status().message();

  // Compressed raw bytes are not decoded.
  std::string gzip = std::string("k8s\0", 4) + Len(1, Len(1, "v1") + Len(2, "ConfigMap")) + Len(2, "") +
                     Len(3, "gzip");
  EXPECT_EQ(DecodeProtobufObject(gzip).status().code(), StatusCode::kFailedPrecondition);
}

// A non-empty field moor does not know is refused (415 through the API), naming it.
void ExpectRefusedField(std::string_view body, std::string_view field, std::string_view where) {
  auto decoded = DecodeProtobufObject(body);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kFailedPrecondition) << decoded.status().ToString();
  const std::string& m = decoded.status().message();
  EXPECT_NE(m.find("moor cannot decode " + std::string(field) + " sent as protobuf"), std::string::npos) << m;
  EXPECT_NE(m.find("(in " + std::string(where) + ")"), std::string::npos) << m;
  EXPECT_NE(m.find("send JSON or YAML: kubectl create -f FILE"), std::string::npos) << m;
}

TEST(ProtobufBodyTest, NonEmptyUnknownFieldsAreRefusedNamingThem) {
  ExpectRefusedField(Body("v1", "ConfigMap", VarintField(99, 7)), "field 99 of ConfigMap", "ConfigMap");
  ExpectRefusedField(Body("v1", "ConfigMap", Tag(98, 1) + std::string(7, '\0') + "x"), "field 98 of ConfigMap",
                     "ConfigMap");
  ExpectRefusedField(Body("v1", "ConfigMap", Tag(97, 5) + std::string("\0\0\0\1", 4)), "field 97 of ConfigMap",
                     "ConfigMap");
  ExpectRefusedField(Body("v1", "Secret", Len(96, "z")), "field 96 of Secret", "Secret");
  // A message with one set field inside is not empty.
  ExpectRefusedField(Body("v1", "Secret", Len(95, Len(1, "") + VarintField(2, 1))), "field 95 of Secret", "Secret");
  // Nested: ObjectMeta, a map entry, PodSpec.securityContext (14, not decoded).
  ExpectRefusedField(Body("v1", "Namespace", Len(1, Len(1, "a") + Len(15, "cluster"))), "field 15 of ObjectMeta",
                     "Namespace.metadata");
  ExpectRefusedField(Body("v1", "ConfigMap", Len(2, Len(1, "k") + Len(2, "v") + VarintField(3, 1))),
                     "field 3 of a map entry", "ConfigMap.data");
  std::string pod_spec = Len(2, Len(1, "c") + Len(2, "busybox")) + Len(14, VarintField(1, 1));
  ExpectRefusedField(Body("apps/v1", "Deployment", Len(2, Len(3, Len(2, pod_spec)))), "field 14 of PodSpec",
                     "Deployment.spec.template.spec");
  // Unknown fields of runtime.Unknown itself.
  ExpectRefusedField(std::string("k8s\0", 4) + Len(1, Len(1, "v1") + Len(2, "ConfigMap")) + VarintField(9, 1),
                     "field 9 of runtime.Unknown", "runtime.Unknown");
}

void ExpectMalformed(std::string_view body, std::string_view part) {
  auto decoded = DecodeProtobufObject(body);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument) << decoded.status().ToString();
  EXPECT_NE(decoded.status().message().find(part), std::string::npos) << decoded.status().message();
}

TEST(ProtobufBodyTest, MalformedBodiesAreInvalidArguments) {
  std::string good = FromHex(kCmLiterals);
  ExpectMalformed("", "magic");
  ExpectMalformed("{\"kind\":\"ConfigMap\"}", "magic");
  ExpectMalformed(std::string("k8s\1", 4) + good.substr(4), "magic");
  // Cut after the last tag: its length varint is missing.
  ExpectMalformed(good.substr(0, good.size() - 1), "truncated varint");
  // Cut inside raw: the announced length runs past the end.
  ExpectMalformed(good.substr(0, 40), "truncated");
  // A varint that never ends.
  ExpectMalformed(std::string("k8s\0", 4) + Tag(7, 0) + std::string(11, '\xff'), "varint");
  // Wrong wire types for known fields.
  ExpectMalformed(Body("v1", "ConfigMap", Len(1, VarintField(1, 5))), "ConfigMap.metadata.name");
  ExpectMalformed(Body("v1", "ConfigMap", VarintField(2, 1)), "ConfigMap.data");
  ExpectMalformed(Body("v1", "Secret", Len(5, "yes")), "Secret.immutable");
  ExpectMalformed(std::string("k8s\0", 4) + VarintField(1, 3), "runtime.Unknown");
  // A truncated map entry inside raw.
  ExpectMalformed(Body("v1", "ConfigMap", Len(2, Tag(1, 2) + Varint(9) + "ab")), "ConfigMap.data");
  // Groups (wire types 3/4) and unused wire types 6/7.
  ExpectMalformed(Body("v1", "ConfigMap", Tag(9, 3)), "wire type 3");
  ExpectMalformed(Body("v1", "ConfigMap", Tag(9, 7)), "wire type 7");
  // Field number 0.
  ExpectMalformed(Body("v1", "ConfigMap", Tag(0, 0) + Varint(1)), "field number 0");
  // Strings must be UTF-8 (binary values belong in binaryData).
  ExpectMalformed(Body("v1", "ConfigMap", Entry(2, "k", "\xff\xfe")), "UTF-8");
  ExpectMalformed(Body("v1", "ConfigMap", Len(1, Len(1, "a\xc0\x80"))), "UTF-8");
}

}  // namespace
}  // namespace moor::api
