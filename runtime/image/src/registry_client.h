#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "http_client.h"
#include "moor/common/status.h"
#include "moor/runtime/image/manifest.h"
#include "moor/runtime/image/registry_endpoints.h"
#include "moor/runtime/image_store.h"

namespace moor::runtime {

// The OCI distribution API (v2) for one image's registry, over its endpoints (mirrors first,
// then the registry itself). Handles the auth flow: anonymous first; on 401 a Bearer challenge
// fetches a token from the realm (with basic credentials if there are any) and retries, a
// Basic challenge retries with the credentials. Credentials for an endpoint: the first pull
// credential for its host (or, for the registry's own endpoint, the image's registry), else
// the endpoint's configured auth. One pull at a time; not thread-safe.
class RegistryClient {
 public:
  RegistryClient(HttpClient& http, std::vector<RegistryEndpoint> endpoints,
                 std::vector<RegistryCredential> credentials);

  struct Manifest {
    std::string content_type;
    std::string body;
    std::string digest;  // sha256 of body
  };

  // GET <endpoint>/<repository>/manifests/<reference> on each endpoint in turn until one answers;
  // later calls use the endpoint that answered. The first error that is not "not found" wins
  // (containerd's rule); all "not found" gives kNotFound.
  StatusOr<Manifest> GetManifest(const std::string& repository, const std::string& reference);

  // Streams the blob to `dest` (created or truncated) from the endpoint that served the
  // manifest, following redirects, and verifies its size and sha256. On a mismatch `dest` is
  // removed and the result is kInvalidArgument naming the digest.
  Status FetchBlob(const std::string& repository, const Descriptor& blob, const std::filesystem::path& dest);

 private:
  struct Credentials {
    std::string username;
    std::string password;
    std::string identity_token;
    bool empty() const { return username.empty() && identity_token.empty(); }
  };

  StatusOr<Manifest> GetManifestFrom(std::size_t endpoint, const std::string& repository,
                                     const std::string& reference);
  // Sends `request` to `endpoint` with the auth flow; `repository` names the default scope.
  StatusOr<HttpResponse> Send(std::size_t endpoint, HttpRequest request, const std::string& repository);
  StatusOr<std::string> FetchToken(std::size_t endpoint, const std::map<std::string, std::string>& challenge,
                                   const std::string& repository);
  Credentials CredentialsFor(const RegistryEndpoint& endpoint) const;
  std::string Url(std::size_t endpoint, const std::string& repository, const std::string& suffix) const;

  HttpClient& http_;
  std::vector<RegistryEndpoint> endpoints_;
  std::vector<RegistryCredential> credentials_;
  std::map<std::size_t, std::string> tokens_;  // endpoint -> bearer token of the last challenge
  std::map<std::size_t, bool> basic_;          // endpoint -> answered 401 Basic
  std::size_t chosen_ = 0;                     // the endpoint that served the manifest
  bool has_chosen_ = false;
};

}  // namespace moor::runtime
