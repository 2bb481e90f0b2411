#include "client_config.h"

#include <cstdlib>
#include <iostream>

#include "moor/api/kubeconfig.h"

namespace moor::cli {

std::string ResolveKubeconfigPath(const GlobalOptions& global) {
  if (!global.kubeconfig.empty()) return global.kubeconfig;
  const char* env = std::getenv("KUBECONFIG");
  if (env != nullptr && *env != '\0') {
    std::string first(env);
    return first.substr(0, first.find(':'));
  }
  return api::DefaultKubeconfigPath("/var/lib/moor").string();
}

StatusOr<std::unique_ptr<api::ApiClient>> ConnectClient(const GlobalOptions& global) {
  std::string path = ResolveKubeconfigPath(global);
  auto config = api::ReadKubeconfig(path);
  if (!config.ok()) {
    return Status(config.status().code(),
                  "cannot read kubeconfig " + path + ": " + config.status().message() +
                      " (is `moor server` running? pass --kubeconfig <data-dir>/moor.kubeconfig)");
  }
  return api::ApiClient::Create(*config);
}

int ReportError(const Status& status) {
  std::cerr << "error: " << status.message() << "\n";
  return 1;
}

void PrintServerError(const Status& status, const std::string& context) {
  std::cerr << "Error from server (" << StatusCodeName(status.code()) << "): " << context << status.message() << "\n";
}

}  // namespace moor::cli
