#include "moor/api/kubeconfig.h"

#include <yaml-cpp/yaml.h>

#include "base64.h"
#include "moor/common/files.h"

namespace moor::api {
namespace {

constexpr size_t kMaxKubeconfig = 4 << 20;

// The entry named `name` of a kubeconfig list (clusters, users, contexts), or a null node.
YAML::Node FindNamed(const YAML::Node& list, const std::string& name) {
  if (!list || !list.IsSequence()) return YAML::Node();
  for (const auto& entry : list) {
    if (entry.IsMap() && entry["name"] && entry["name"].as<std::string>("") == name) return entry;
  }
  return YAML::Node();
}

std::string Str(const YAML::Node& node, const char* key) {
  if (!node || !node.IsMap() || !node[key] || !node[key].IsScalar()) return "";
  return node[key].as<std::string>("");
}

}  // namespace

std::filesystem::path DefaultKubeconfigPath(const std::filesystem::path& data_dir) {
  return data_dir / "moor.kubeconfig";
}

Status WriteKubeconfig(const std::filesystem::path& path, const Kubeconfig& config) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "v1";
  out << YAML::Key << "clusters" << YAML::Value << YAML::BeginSeq;
  out << YAML::BeginMap << YAML::Key << "cluster" << YAML::Value << YAML::BeginMap;
  if (!config.ca_pem.empty()) {
    out << YAML::Key << "certificate-authority-data" << YAML::Value << Base64Encode(config.ca_pem);
  }
  out << YAML::Key << "server" << YAML::Value << config.server;
  out << YAML::EndMap;
  out << YAML::Key << "name" << YAML::Value << "moor" << YAML::EndMap;
  out << YAML::EndSeq;
  out << YAML::Key << "contexts" << YAML::Value << YAML::BeginSeq;
  out << YAML::BeginMap << YAML::Key << "context" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "cluster" << YAML::Value << "moor";
  out << YAML::Key << "user" << YAML::Value << "moor";
  out << YAML::EndMap;
  out << YAML::Key << "name" << YAML::Value << "moor" << YAML::EndMap;
  out << YAML::EndSeq;
  out << YAML::Key << "current-context" << YAML::Value << "moor";
  out << YAML::Key << "kind" << YAML::Value << "Config";
  out << YAML::Key << "preferences" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::EndMap;
  out << YAML::Key << "users" << YAML::Value << YAML::BeginSeq;
  out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "moor";
  out << YAML::Key << "user" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "token" << YAML::Value << config.token;
  out << YAML::EndMap << YAML::EndMap;
  out << YAML::EndSeq;
  out << YAML::EndMap;
  if (!out.good()) return InternalError("encoding kubeconfig: " + out.GetLastError());
  std::string text = std::string(out.c_str()) + "\n";
  return WriteFileAtomic(path, text, 0600);
}

StatusOr<Kubeconfig> ReadKubeconfig(const std::filesystem::path& path) {
  MOOR_ASSIGN_OR_RETURN(std::string text, ReadFileLimited(path, kMaxKubeconfig));
  const std::string where = path.string();
  try {
    YAML::Node root = YAML::Load(text);
    if (!root.IsMap()) return InvalidArgumentError(where + ": not a kubeconfig (expected a mapping)");
    std::string context_name = Str(root, "current-context");
    YAML::Node context;
    if (context_name.empty()) {
      if (root["contexts"] && root["contexts"].IsSequence() && root["contexts"].size() == 1) {
        context = root["contexts"][0];
      } else {
        return InvalidArgumentError(where + ": no current-context");
      }
    } else {
      context = FindNamed(root["contexts"], context_name);
      if (!context || context.IsNull()) return InvalidArgumentError(where + ": context \"" + context_name + "\" not found");
    }
    YAML::Node ctx = context["context"];
    std::string cluster_name = Str(ctx, "cluster");
    std::string user_name = Str(ctx, "user");
    YAML::Node cluster_entry = FindNamed(root["clusters"], cluster_name);
    if (!cluster_entry || cluster_entry.IsNull()) return InvalidArgumentError(where + ": cluster \"" + cluster_name + "\" not found");
    YAML::Node cluster = cluster_entry["cluster"];
    Kubeconfig config;
    config.server = Str(cluster, "server");
    if (config.server.empty()) return InvalidArgumentError(where + ": cluster \"" + cluster_name + "\" has no server");
    std::string ca_data = Str(cluster, "certificate-authority-data");
    std::string ca_file = Str(cluster, "certificate-authority");
    if (!ca_data.empty()) {
      auto pem = Base64Decode(ca_data);
      if (!pem) return InvalidArgumentError(where + ": certificate-authority-data is not valid base64");
      config.ca_pem = *pem;
    } else if (!ca_file.empty()) {
      std::filesystem::path ca_path(ca_file);
      if (ca_path.is_relative()) ca_path = path.parent_path() / ca_path;
      auto pem = ReadFileLimited(ca_path, kMaxKubeconfig);
      if (!pem.ok()) return pem.status().WithContext(where + ": certificate-authority");
      config.ca_pem = *pem;
    }
    if (!user_name.empty()) {
      YAML::Node user_entry = FindNamed(root["users"], user_name);
      if (!user_entry || user_entry.IsNull()) return InvalidArgumentError(where + ": user \"" + user_name + "\" not found");
      YAML::Node user = user_entry["user"];
      config.token = Str(user, "token");
      std::string token_file = Str(user, "tokenFile");
      if (config.token.empty() && !token_file.empty()) {
        std::filesystem::path token_path(token_file);
        if (token_path.is_relative()) token_path = path.parent_path() / token_path;
        auto token = ReadFileLimited(token_path, kMaxKubeconfig);
        if (!token.ok()) return token.status().WithContext(where + ": tokenFile");
        config.token = *token;
        while (!config.token.empty() && (config.token.back() == '\n' || config.token.back() == '\r')) {
          config.token.pop_back();
        }
      }
    }
    return config;
  } catch (const std::exception& e) {
    return InvalidArgumentError(where + ": not a valid kubeconfig: " + e.what());
  }
}

}  // namespace moor::api
