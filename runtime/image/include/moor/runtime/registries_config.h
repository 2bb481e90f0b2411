#pragma once

#include <map>
#include <optional>
#include <string_view>
#include <utility>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "moor/common/status.h"

namespace moor::runtime {

// The `registries:` section of moor's config file, with the schema of k3s's
// /etc/rancher/k3s/registries.yaml:
//   mirrors:
//     docker.io:
//       endpoint: ["http://127.0.0.1:5000"]     # tried in order, then the registry itself
//       rewrite: {"^library/(.*)": "mirror/$1"} # optional repository rewrites
//   configs:
//     127.0.0.1:5000:                           # a registry host or a mirror endpoint host
//       auth: {username: u, password: p}        # or auth: base64(u:p), or identitytoken
//       tls: {ca_file: ..., cert_file: ..., key_file: ..., insecure_skip_verify: false}
// Plain HTTP is used only for endpoints written with an http:// scheme.
struct RegistryAuth {
  std::string username;
  std::string password;
  std::string identity_token;
};

struct RegistryTls {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  bool insecure_skip_verify = false;
};

struct RegistryHostConfig {
  RegistryAuth auth;
  RegistryTls tls;
};

struct RegistryMirror {
  std::vector<std::string> endpoints;  // "http://127.0.0.1:5000", "https://mirror.example"
  std::map<std::string, std::string> rewrites;
};

struct RegistriesConfig {
  std::map<std::string, RegistryMirror> mirrors;      // key: registry host, or "*" for all
  std::map<std::string, RegistryHostConfig> configs;  // key: host[:port]
  // As k3s's --disable-default-registry-endpoint: a registry that has mirrors is reached only
  // through them, never at its own address (air-gapped servers, tests that must not leave the
  // machine). Set from the server config, not from the registries section.
  bool disable_default_endpoint = false;
};

// "dXNlcjpwYXNz" -> {"user", "pass"}: the `auth` field of registries.yaml and Docker configs
// (standard padded base64 of "username:password"). nullopt if it is not that.
std::optional<std::pair<std::string, std::string>> DecodeBasicAuth(std::string_view base64);

// Parses the section (already converted from YAML to JSON). Unknown keys and wrong types are
// kInvalidArgument naming the key path ("registries.mirrors.docker.io.endpoint: expected a list").
StatusOr<RegistriesConfig> ParseRegistriesConfig(const nlohmann::json& section);

}  // namespace moor::runtime
