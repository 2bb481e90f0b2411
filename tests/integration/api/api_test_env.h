#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "moor/api/api_server.h"
#include "moor/api/client.h"
#include "moor/api/kubeconfig.h"
#include "moor/store/sqlite_store.h"
#include "moor/testing/process.h"
#include "moor/testing/temp_dir.h"

namespace moor::api::testenv {

// The real kubectl the API tests run.
inline constexpr const char* kKubectl = "/usr/bin/kubectl";
// Success if kubectl is installed; the failure names what is missing (tests fail, never skip).
::testing::AssertionResult KubectlInstalled();

// A real HTTPS API server on a free 127.0.0.1 port over a SqliteStore in a temp dir, its
// kubeconfig written to <dir>/moor.kubeconfig, and a real ApiClient.
struct ApiTestEnvOptions {
  int64_t history_limit = 100000;
  PodLogSource* logs = nullptr;    // not owned
  ImageService* images = nullptr;  // not owned
};

class ApiTestEnv {
 public:
  explicit ApiTestEnv(int64_t history_limit = 100000);
  explicit ApiTestEnv(const ApiTestEnvOptions& options);
  ~ApiTestEnv();

  store::Store& store() { return *store_; }
  ApiServer& server() { return *server_; }
  ApiClient& client() { return *client_; }
  const Kubeconfig& kubeconfig() const { return kubeconfig_; }
  const std::filesystem::path& kubeconfig_path() const { return kubeconfig_path_; }
  const moor::testing::TempDir& dir() const { return dir_; }
  // A client with another token.
  std::unique_ptr<ApiClient> ClientWithToken(const std::string& token) const;
  // The environment the real kubectl runs with here: this server's kubeconfig, and HOME in the
  // temp dir (keeps kubectl's discovery cache out of the real home).
  std::map<std::string, std::string> KubectlEnv() const;
  // /usr/bin/kubectl with `args`, against this server.
  moor::testing::CommandResult Kubectl(const std::vector<std::string>& args) const;
  // curl against the server: returns "<http code>\n<body>".
  std::string Curl(const std::string& method, const std::string& path, const std::string& body = "",
                   bool with_token = true, const std::string& content_type = "application/json") const;

 private:
  moor::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<ApiServer> server_;
  Kubeconfig kubeconfig_;
  std::filesystem::path kubeconfig_path_;
  std::unique_ptr<ApiClient> client_;
};

// A Deployment object (apps/v1) with `replicas`, labels app=<app>.
manifests::Object DeploymentJson(const std::string& name, const std::string& ns = "default", int replicas = 3,
                                 const std::string& app = "web");
manifests::Object ServiceJson(const std::string& name, const std::string& ns = "default");

}  // namespace moor::api::testenv
