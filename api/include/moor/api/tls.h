#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "moor/common/status.h"

namespace moor::api {

// The files of the server's TLS identity, as k3s keeps them.
struct ServingCertificates {
  std::filesystem::path ca_cert;       // <dir>/server-ca.crt
  std::filesystem::path ca_key;        // <dir>/server-ca.key (0600)
  std::filesystem::path serving_cert;  // <dir>/serving.crt
  std::filesystem::path serving_key;   // <dir>/serving.key (0600)
  std::string ca_pem;                  // content of server-ca.crt, for kubeconfigs
};

// Makes sure `dir` holds a self-signed CA (ECDSA P-256, CN "moor-server-ca@<unix time>",
// valid 10 years) and a serving certificate signed by it (ECDSA P-256, serverAuth) whose
// SANs are 127.0.0.1, ::1, localhost and every entry of `hosts` (IP addresses or DNS names).
// Existing files are reused as they are; a missing or unreadable set is generated anew, and
// the serving certificate is regenerated (with the existing CA) when it lacks one of `hosts`.
// Creates `dir` (0700) if needed. Keys are written with mode 0600.
StatusOr<ServingCertificates> EnsureServingCertificates(const std::filesystem::path& dir,
                                                        const std::vector<std::string>& hosts);

}  // namespace moor::api
