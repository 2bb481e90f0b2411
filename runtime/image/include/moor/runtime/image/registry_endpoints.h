#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "moor/common/status.h"
#include "moor/runtime/registries_config.h"

namespace moor::runtime {

// An endpoint URL from registries.yaml: "http://127.0.0.1:5000", "https://mirror.example/v2",
// or a bare "mirror.example:5000" (https is assumed, as in k3s).
struct EndpointUrl {
  std::string scheme;  // "http" or "https"
  std::string host;    // host[:port], "[::1]:5000" for IPv6
  std::string path;    // API root; "/v2" when the endpoint has no path, else the path as written

  std::string ApiRoot() const { return scheme + "://" + host + path; }  // no trailing slash
};

// kInvalidArgument naming the problem ("unsupported scheme ftp", "missing host").
StatusOr<EndpointUrl> ParseEndpointUrl(std::string_view text);

// One place to send registry requests to, with everything configured for it.
struct RegistryEndpoint {
  EndpointUrl url;
  bool is_mirror = false;                       // false: the registry's own default endpoint
  std::map<std::string, std::string> rewrites;  // the mirror's repository rewrites (regex -> replacement)
  RegistryHostConfig config;                    // configs[url.host], else (default endpoint) configs[registry]
  std::vector<std::string> credential_hosts;    // hosts whose pull credentials apply here
};

// The endpoints to try for an image in `registry` ("docker.io", "127.0.0.1:5000"), in order:
// the mirror's endpoints (mirrors[registry], else mirrors["*"]), then the registry itself over
// https (https://registry-1.docker.io for docker.io) -- unless a mirror endpoint is on the
// registry's own host (`"127.0.0.1:5000": {endpoint: ["http://127.0.0.1:5000"]}`, the way to
// declare an insecure registry), which then stands for the registry itself.
std::vector<RegistryEndpoint> EndpointsFor(const std::string& registry, const RegistriesConfig& config);

// The repository to ask `endpoint` for: the first matching rewrite (ECMAScript regex, "$1"
// replacements) applied to `repository`, or `repository` itself.
std::string RewriteRepository(const RegistryEndpoint& endpoint, const std::string& repository);

// Canonical host for credentials and config keys: scheme and path dropped, the Docker Hub
// aliases ("index.docker.io", "registry-1.docker.io", "https://index.docker.io/v1/") -> "docker.io".
std::string NormalizeRegistryHost(std::string_view text);

}  // namespace moor::runtime
