#include "moor/runtime/image/registry_endpoints.h"

#include <regex>

namespace moor::runtime {
namespace {

constexpr std::string_view kDockerHub = "docker.io";
constexpr std::string_view kDockerHubEndpoint = "registry-1.docker.io";

const RegistryHostConfig* FindConfig(const RegistriesConfig& config, const std::string& host) {
  auto it = config.configs.find(host);
  return it == config.configs.end() ? nullptr : &it->second;
}

}  // namespace

StatusOr<EndpointUrl> ParseEndpointUrl(std::string_view text) {
  EndpointUrl url;
  std::string_view rest = text;
  std::size_t sep = rest.find("://");
  if (sep == std::string_view::npos) {
    url.scheme = "https";
  } else {
    url.scheme = std::string(rest.substr(0, sep));
    rest = rest.substr(sep + 3);
    if (url.scheme != "http" && url.scheme != "https") {
      return InvalidArgumentError("unsupported scheme \"" + url.scheme + "\" in endpoint \"" + std::string(text) +
                                  "\" (use http:// or https://)");
    }
  }
  if (rest.find_first_of("?#@ ") != std::string_view::npos) {
    return InvalidArgumentError("endpoint \"" + std::string(text) + "\" must be scheme://host[:port][/path]");
  }
  std::size_t slash = rest.find('/');
  url.host = std::string(rest.substr(0, slash));
  if (url.host.empty()) return InvalidArgumentError("endpoint \"" + std::string(text) + "\" has no host");
  std::string path = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
  while (!path.empty() && path.back() == '/') path.pop_back();
  url.path = path.empty() ? "/v2" : path;
  return url;
}

std::string NormalizeRegistryHost(std::string_view text) {
  std::size_t sep = text.find("://");
  if (sep != std::string_view::npos) text = text.substr(sep + 3);
  text = text.substr(0, text.find('/'));
  if (text == "index.docker.io" || text == kDockerHubEndpoint) return std::string(kDockerHub);
  return std::string(text);
}

std::vector<RegistryEndpoint> EndpointsFor(const std::string& registry, const RegistriesConfig& config) {
  std::vector<RegistryEndpoint> out;
  auto mirror = config.mirrors.find(registry);
  if (mirror == config.mirrors.end()) mirror = config.mirrors.find("*");
  if (mirror != config.mirrors.end()) {
    for (const std::string& text : mirror->second.endpoints) {
      auto url = ParseEndpointUrl(text);
      if (!url.ok()) continue;  // ParseRegistriesConfig rejects these; a hand-built config skips them
      RegistryEndpoint endpoint;
      endpoint.url = *url;
      endpoint.is_mirror = true;
      endpoint.rewrites = mirror->second.rewrites;
      if (const RegistryHostConfig* c = FindConfig(config, url->host)) endpoint.config = *c;
      endpoint.credential_hosts = {NormalizeRegistryHost(url->host)};
      out.push_back(std::move(endpoint));
    }
  }
  RegistryEndpoint fallback;
  fallback.url.scheme = "https";
  fallback.url.host = registry == kDockerHub ? std::string(kDockerHubEndpoint) : registry;
  fallback.url.path = "/v2";
  const RegistryHostConfig* c = FindConfig(config, fallback.url.host);
  if (c == nullptr) c = FindConfig(config, registry);
  if (c != nullptr) fallback.config = *c;
  fallback.credential_hosts = {NormalizeRegistryHost(registry)};
  // A mirror endpoint on the registry's own host (typically http:// for an insecure registry)
  // is how to reach the registry itself: it replaces the https default instead of preceding it.
  for (RegistryEndpoint& e : out) {
    if (e.url.host == fallback.url.host) {
      e.is_mirror = false;
      if (e.config.auth.username.empty() && e.config.auth.identity_token.empty() && e.config.tls.ca_file.empty()) {
        e.config = fallback.config;
      }
      e.credential_hosts = fallback.credential_hosts;
      return out;
    }
  }
  if (config.disable_default_endpoint && !out.empty()) return out;
  out.push_back(std::move(fallback));
  return out;
}

std::string RewriteRepository(const RegistryEndpoint& endpoint, const std::string& repository) {
  for (const auto& [pattern, replacement] : endpoint.rewrites) {
    try {
      std::regex re(pattern);
      if (std::regex_search(repository, re)) return std::regex_replace(repository, re, replacement);
    } catch (const std::regex_error&) {
      continue;  // ParseRegistriesConfig rejects bad patterns; a hand-built config skips them
    }
  }
  return repository;
}

}  // namespace moor::runtime
