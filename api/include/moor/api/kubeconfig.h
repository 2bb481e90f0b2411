#pragma once

#include <filesystem>
#include <string>

#include "moor/common/status.h"

namespace moor::api {

// What a client needs to reach a moor (or any Kubernetes) API server.
struct Kubeconfig {
  std::string server;  // "https://127.0.0.1:6443"
  std::string token;   // bearer token
  std::string ca_pem;  // PEM of the CA that signed the server's certificate ("" = system roots)
};

// Writes a kubeconfig in kubectl's format: one cluster, one user and one context, all named
// "moor", current-context "moor", the CA as certificate-authority-data (base64), the user's
// token. The file is written atomically with mode 0600 (it holds a credential).
Status WriteKubeconfig(const std::filesystem::path& path, const Kubeconfig& config);

// Reads what WriteKubeconfig wrote and ordinary kubectl kubeconfigs: current-context ->
// context -> cluster (server, certificate-authority-data or a certificate-authority file,
// relative to the kubeconfig's folder) and user (token, or tokenFile). kNotFound if the file
// is missing; kInvalidArgument (naming the file) if it is not a usable kubeconfig.
StatusOr<Kubeconfig> ReadKubeconfig(const std::filesystem::path& path);

// <data_dir>/moor.kubeconfig
std::filesystem::path DefaultKubeconfigPath(const std::filesystem::path& data_dir);

}  // namespace moor::api
