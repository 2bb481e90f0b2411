#include <sys/stat.h>

#include <gtest/gtest.h>

#include "moor/api/kubeconfig.h"
#include "moor/api/tls.h"
#include "moor/common/files.h"
#include "moor/testing/temp_dir.h"

namespace moor::api {
namespace {

TEST(KubeconfigTest, RoundTripWithMode0600) {
  testing::TempDir dir("kubeconfig");
  Kubeconfig in{"https://127.0.0.1:6443", "0123abcd", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"};
  auto path = DefaultKubeconfigPath(dir.path());
  EXPECT_EQ(path, dir.path() / "moor.kubeconfig");
  ASSERT_TRUE(WriteKubeconfig(path, in).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto text = ReadFileLimited(path, 1 << 20);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("current-context: moor"), std::string::npos);
  EXPECT_NE(text->find("certificate-authority-data: "), std::string::npos);
  EXPECT_NE(text->find("kind: Config"), std::string::npos);
  auto out = ReadKubeconfig(path);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->server, in.server);
  EXPECT_EQ(out->token, in.token);
  EXPECT_EQ(out->ca_pem, in.ca_pem);
}

TEST(KubeconfigTest, ReadsOrdinaryKubectlConfigs) {
  testing::TempDir dir("kubeconfig");
  testing::WriteFile(dir / "ca.crt", "PEM DATA\n");
  testing::WriteFile(dir / "token", "tok-from-file\n");
  testing::WriteFile(dir / "config", R"(apiVersion: v1
kind: Config
clusters:
- name: other
  cluster: {server: "https://10.0.0.1:6443"}
- name: dev
  cluster:
    server: https://127.0.0.1:7443
    certificate-authority: ca.crt
contexts:
- name: first
  context: {cluster: other, user: nobody}
- name: dev-ctx
  context: {cluster: dev, user: dev-user, namespace: apps}
current-context: dev-ctx
users:
- name: dev-user
  user:
    tokenFile: token
)");
  auto out = ReadKubeconfig(dir / "config");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->server, "https://127.0.0.1:7443");
  EXPECT_EQ(out->ca_pem, "PEM DATA\n");
  EXPECT_EQ(out->token, "tok-from-file");
}

TEST(KubeconfigTest, ErrorsNameTheFile) {
  testing::TempDir dir("kubeconfig");
  EXPECT_EQ(ReadKubeconfig(dir / "missing").status().code(), StatusCode::kNotFound);
  testing::WriteFile(dir / "bad", "current-context: nope\ncontexts: []\n");
  auto bad = ReadKubeconfig(dir / "bad");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find((dir / "bad").string()), std::string::npos);
  EXPECT_NE(bad.status().message().find("nope"), std::string::npos);
}

TEST(ServingCertificatesTest, GeneratedOnceThenReused) {
  testing::TempDir dir("tls");
  auto first = EnsureServingCertificates(dir / "tls", {"127.0.0.1"});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_NE(first->ca_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  for (const auto& key : {first->ca_key, first->serving_key}) {
    struct stat st {};
    ASSERT_EQ(::stat(key.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << key;
  }
  auto serving = ReadFileLimited(first->serving_cert, 1 << 20);
  ASSERT_TRUE(serving.ok());
  auto second = EnsureServingCertificates(dir / "tls", {"127.0.0.1"});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->ca_pem, first->ca_pem);
  EXPECT_EQ(*ReadFileLimited(second->serving_cert, 1 << 20), *serving);
  // A new listen host keeps the CA and reissues the serving certificate.
  auto third = EnsureServingCertificates(dir / "tls", {"moor.example"});
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->ca_pem, first->ca_pem);
  EXPECT_NE(*ReadFileLimited(third->serving_cert, 1 << 20), *serving);
}

}  // namespace
}  // namespace moor::api
