#include "api_test_env.h"

#include <gtest/gtest.h>

#include "moor/common/files.h"
#include "moor/testing/process.h"

namespace moor::api::testenv {

ApiTestEnv::ApiTestEnv(int64_t history_limit) : ApiTestEnv(ApiTestEnvOptions{history_limit, nullptr, nullptr}) {}

ApiTestEnv::ApiTestEnv(const ApiTestEnvOptions& env_options) : dir_("api") {
  store::SqliteStoreOptions store_options;
  store_options.path = dir_ / "state.db";
  store_options.history_limit = env_options.history_limit;
  auto st = store::OpenSqliteStore(store_options);
  if (!st.ok()) ADD_FAILURE() << "opening the store: " << st.status().ToString();
  store_ = std::move(st).value();

  ApiServerOptions options;
  options.listen = "127.0.0.1:0";
  options.tls_dir = dir_ / "tls";
  options.token = RandomHex(16);
  options.store = store_.get();
  options.sources = {SourceInfo{"folder", "folder", (dir_ / "manifests").string()}};
  options.logs = env_options.logs;
  options.images = env_options.images;
  auto server = ApiServer::Start(options);
  if (!server.ok()) {
    ADD_FAILURE() << "starting the API server: " << server.status().ToString();
    return;
  }
  server_ = std::move(server).value();
  kubeconfig_ = Kubeconfig{server_->url(), options.token, server_->ca_pem()};
  kubeconfig_path_ = DefaultKubeconfigPath(dir_.path());
  Status written = WriteKubeconfig(kubeconfig_path_, kubeconfig_);
  if (!written.ok()) ADD_FAILURE() << written.ToString();
  auto client = ApiClient::Create(kubeconfig_);
  if (!client.ok()) ADD_FAILURE() << client.status().ToString();
  client_ = std::move(client).value();
}

ApiTestEnv::~ApiTestEnv() {
  client_.reset();
  if (server_) server_->Stop();
  server_.reset();
  store_.reset();
}

std::unique_ptr<ApiClient> ApiTestEnv::ClientWithToken(const std::string& token) const {
  Kubeconfig config = kubeconfig_;
  config.token = token;
  auto client = ApiClient::Create(config);
  EXPECT_TRUE(client.ok());
  return std::move(client).value();
}

std::map<std::string, std::string> ApiTestEnv::KubectlEnv() const {
  return {{"KUBECONFIG", kubeconfig_path_.string()}, {"HOME", dir_.path().string()}};
}

moor::testing::CommandResult ApiTestEnv::Kubectl(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {kKubectl};
  argv.insert(argv.end(), args.begin(), args.end());
  return moor::testing::RunCommand(argv, KubectlEnv());
}

::testing::AssertionResult KubectlInstalled() {
  if (std::filesystem::exists(kKubectl)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << kKubectl
                                       << " is missing: these tests need the real kubectl (1.27-1.33) installed";
}

std::string ApiTestEnv::Curl(const std::string& method, const std::string& path, const std::string& body,
                             bool with_token, const std::string& content_type) const {
  std::filesystem::path ca = dir_ / "tls" / "server-ca.crt";
  std::vector<std::string> argv = {"curl", "-sS", "--cacert", ca.string(), "-X", method, "-o", "-", "-w",
                                   "\n%{http_code}", "-H", "Content-Type: " + content_type};
  if (with_token) {
    argv.push_back("-H");
    argv.push_back("Authorization: Bearer " + kubeconfig_.token);
  }
  if (!body.empty()) {
    argv.push_back("--data-binary");
    argv.push_back("@-");
  }
  argv.push_back(kubeconfig_.server + path);
  moor::testing::CommandResult result = moor::testing::RunCommand(argv, {}, body);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  // Move the trailing code to the front: "<code>\n<body>".
  size_t nl = result.out.rfind('\n');
  if (nl == std::string::npos) return result.out;
  return result.out.substr(nl + 1) + "\n" + result.out.substr(0, nl);
}

manifests::Object DeploymentJson(const std::string& name, const std::string& ns, int replicas, const std::string& app) {
  manifests::Object labels = {{"app", app}};
  manifests::Object container = {{"name", "web"}, {"image", "busybox:1.36"}};
  manifests::Object spec = {{"replicas", replicas},
                            {"selector", {{"matchLabels", labels}}},
                            {"template", {{"metadata", {{"labels", labels}}},
                                          {"spec", {{"containers", manifests::Object::array({container})}}}}}};
  return manifests::Object{{"apiVersion", "apps/v1"},
                           {"kind", "Deployment"},
                           {"metadata", {{"name", name}, {"namespace", ns}, {"labels", labels}}},
                           {"spec", spec}};
}

manifests::Object ServiceJson(const std::string& name, const std::string& ns) {
  manifests::Object port = {{"port", 80}, {"targetPort", 8080}, {"nodePort", 30080}};
  return manifests::Object{{"apiVersion", "v1"},
                           {"kind", "Service"},
                           {"metadata", {{"name", name}, {"namespace", ns}}},
                           {"spec", {{"type", "NodePort"},
                                     {"selector", {{"app", "web"}}},
                                     {"ports", manifests::Object::array({port})}}}};
}

}  // namespace moor::api::testenv
