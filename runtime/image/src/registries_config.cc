#include "moor/runtime/registries_config.h"

#include <regex>
#include <set>

#include "moor/manifests/base64.h"
#include "moor/runtime/image/registry_endpoints.h"

namespace moor::runtime {
namespace {

using nlohmann::json;

Status Bad(const std::string& path, const std::string& what) { return InvalidArgumentError(path + ": " + what); }

std::string TypeName(const json& j) {
  if (j.is_object()) return "a map";
  if (j.is_array()) return "a list";
  if (j.is_string()) return "a string";
  if (j.is_boolean()) return "a boolean";
  if (j.is_number()) return "a number";
  return "null";
}

Status ExpectObject(const json& j, const std::string& path) {
  if (!j.is_object()) return Bad(path, "expected a map, got " + TypeName(j));
  return Status::Ok();
}

Status CheckKeys(const json& j, const std::string& path, const std::set<std::string>& allowed) {
  for (const auto& [key, value] : j.items()) {
    if (!allowed.contains(key)) {
      std::string list;
      for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
      return Bad(path + "." + key, "unknown key (expected one of: " + list + ")");
    }
  }
  return Status::Ok();
}

StatusOr<std::string> GetString(const json& j, const std::string& path) {
  if (!j.is_string()) return Bad(path, "expected a string, got " + TypeName(j));
  return j.get<std::string>();
}

StatusOr<bool> GetBool(const json& j, const std::string& path) {
  if (j.is_boolean()) return j.get<bool>();
  if (j.is_string() && (j == "true" || j == "false")) return j == "true";
  return Bad(path, "expected true or false, got " + TypeName(j));
}

StatusOr<RegistryMirror> ParseMirror(const json& j, const std::string& path) {
  MOOR_RETURN_IF_ERROR(ExpectObject(j, path));
  MOOR_RETURN_IF_ERROR(CheckKeys(j, path, {"endpoint", "rewrite"}));
  RegistryMirror mirror;
  if (j.contains("endpoint")) {
    const json& list = j["endpoint"];
    std::string list_path = path + ".endpoint";
    if (!list.is_array()) return Bad(list_path, "expected a list, got " + TypeName(list));
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::string item_path = list_path + "[" + std::to_string(i) + "]";
      MOOR_ASSIGN_OR_RETURN(std::string text, GetString(list[i], item_path));
      auto url = ParseEndpointUrl(text);
      if (!url.ok()) return Bad(item_path, url.status().message());
      mirror.endpoints.push_back(url->scheme + "://" + url->host + (url->path == "/v2" ? "" : url->path));
    }
  }
  if (j.contains("rewrite")) {
    const json& rewrites = j["rewrite"];
    std::string rewrite_path = path + ".rewrite";
    MOOR_RETURN_IF_ERROR(ExpectObject(rewrites, rewrite_path));
    for (const auto& [pattern, replacement] : rewrites.items()) {
      MOOR_ASSIGN_OR_RETURN(std::string text, GetString(replacement, rewrite_path + "." + pattern));
      try {
        std::regex re(pattern);
      } catch (const std::regex_error& e) {
        return Bad(rewrite_path + "." + pattern, std::string("invalid regular expression: ") + e.what());
      }
      mirror.rewrites[pattern] = text;
    }
  }
  return mirror;
}

StatusOr<RegistryAuth> ParseAuth(const json& j, const std::string& path) {
  MOOR_RETURN_IF_ERROR(ExpectObject(j, path));
  MOOR_RETURN_IF_ERROR(CheckKeys(j, path, {"username", "password", "auth", "identitytoken"}));
  RegistryAuth auth;
  if (j.contains("username")) {
    MOOR_ASSIGN_OR_RETURN(auth.username, GetString(j["username"], path + ".username"));
  }
  if (j.contains("password")) {
    MOOR_ASSIGN_OR_RETURN(auth.password, GetString(j["password"], path + ".password"));
  }
  if (j.contains("identitytoken")) {
    MOOR_ASSIGN_OR_RETURN(auth.identity_token, GetString(j["identitytoken"], path + ".identitytoken"));
  }
  if (j.contains("auth")) {
    MOOR_ASSIGN_OR_RETURN(std::string encoded, GetString(j["auth"], path + ".auth"));
    auto decoded = DecodeBasicAuth(encoded);
    if (!decoded) return Bad(path + ".auth", "expected base64 of \"username:password\"");
    if (auth.username.empty()) auth.username = decoded->first;
    if (auth.password.empty()) auth.password = decoded->second;
  }
  return auth;
}

StatusOr<RegistryTls> ParseTls(const json& j, const std::string& path) {
  MOOR_RETURN_IF_ERROR(ExpectObject(j, path));
  MOOR_RETURN_IF_ERROR(CheckKeys(j, path, {"ca_file", "cert_file", "key_file", "insecure_skip_verify"}));
  RegistryTls tls;
  if (j.contains("ca_file")) {
    MOOR_ASSIGN_OR_RETURN(tls.ca_file, GetString(j["ca_file"], path + ".ca_file"));
  }
  if (j.contains("cert_file")) {
    MOOR_ASSIGN_OR_RETURN(tls.cert_file, GetString(j["cert_file"], path + ".cert_file"));
  }
  if (j.contains("key_file")) {
    MOOR_ASSIGN_OR_RETURN(tls.key_file, GetString(j["key_file"], path + ".key_file"));
  }
  if (j.contains("insecure_skip_verify")) {
    MOOR_ASSIGN_OR_RETURN(tls.insecure_skip_verify, GetBool(j["insecure_skip_verify"], path + ".insecure_skip_verify"));
  }
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return Bad(path, "cert_file and key_file must be given together");
  }
  return tls;
}

StatusOr<RegistryHostConfig> ParseHostConfig(const json& j, const std::string& path) {
  MOOR_RETURN_IF_ERROR(ExpectObject(j, path));
  MOOR_RETURN_IF_ERROR(CheckKeys(j, path, {"auth", "tls"}));
  RegistryHostConfig config;
  if (j.contains("auth")) {
    MOOR_ASSIGN_OR_RETURN(config.auth, ParseAuth(j["auth"], path + ".auth"));
  }
  if (j.contains("tls")) {
    MOOR_ASSIGN_OR_RETURN(config.tls, ParseTls(j["tls"], path + ".tls"));
  }
  return config;
}

}  // namespace

StatusOr<RegistriesConfig> ParseRegistriesConfig(const json& section) {
  const std::string root = "registries";
  RegistriesConfig config;
  if (section.is_null()) return config;
  MOOR_RETURN_IF_ERROR(ExpectObject(section, root));
  MOOR_RETURN_IF_ERROR(CheckKeys(section, root, {"mirrors", "configs"}));
  if (section.contains("mirrors") && !section["mirrors"].is_null()) {
    const json& mirrors = section["mirrors"];
    MOOR_RETURN_IF_ERROR(ExpectObject(mirrors, root + ".mirrors"));
    for (const auto& [host, value] : mirrors.items()) {
      std::string path = root + ".mirrors." + host;
      if (host.empty()) return Bad(path, "empty registry name");
      MOOR_ASSIGN_OR_RETURN(config.mirrors[NormalizeRegistryHost(host)], ParseMirror(value, path));
    }
  }
  if (section.contains("configs") && !section["configs"].is_null()) {
    const json& configs = section["configs"];
    MOOR_RETURN_IF_ERROR(ExpectObject(configs, root + ".configs"));
    for (const auto& [host, value] : configs.items()) {
      std::string path = root + ".configs." + host;
      if (host.empty()) return Bad(path, "empty registry name");
      MOOR_ASSIGN_OR_RETURN(config.configs[host], ParseHostConfig(value, path));
    }
  }
  return config;
}

std::optional<std::pair<std::string, std::string>> DecodeBasicAuth(std::string_view base64) {
  std::size_t bad = 0;
  auto decoded = manifests::DecodeBase64(base64, &bad);
  if (!decoded) return std::nullopt;
  std::size_t colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return std::make_pair(decoded->substr(0, colon), decoded->substr(colon + 1));
}

}  // namespace moor::runtime
