// CredentialsFromDockerConfig (moor/runtime/image_store.h): the imagePullSecrets format.
#include "moor/runtime/image/registry_endpoints.h"
#include "moor/runtime/image_store.h"
#include "moor/runtime/registries_config.h"

namespace moor::runtime {

std::vector<RegistryCredential> CredentialsFromDockerConfig(const nlohmann::json& config) {
  std::vector<RegistryCredential> out;
  if (!config.is_object()) return out;
  // .dockerconfigjson wraps the hosts in "auths"; the legacy .dockercfg is the map itself.
  const nlohmann::json& auths = config.contains("auths") ? config["auths"] : config;
  if (!auths.is_object()) return out;
  for (auto entry = auths.begin(); entry != auths.end(); ++entry) {
    if (!entry->is_object()) continue;
    RegistryCredential c;
    c.registry = NormalizeRegistryHost(entry.key());
    c.username = entry->value("username", "");
    c.password = entry->value("password", "");
    std::string auth = entry->value("auth", "");
    if (c.username.empty() && !auth.empty()) {
      if (auto decoded = DecodeBasicAuth(auth)) {
        c.username = decoded->first;
        c.password = decoded->second;
      }
    }
    if (c.registry.empty() || c.username.empty()) continue;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace moor::runtime
