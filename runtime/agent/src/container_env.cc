#include "container_env.h"

#include "moor/manifests/base64.h"
#include "moor/manifests/quantity.h"

#include "json_fields.h"

namespace moor::runtime {
namespace {

bool Optional(const Object& ref) {
  auto it = ref.find("optional");
  return it != ref.end() && it->is_boolean() && it->get<bool>();
}

// "metadata.labels['app']" -> the label value.
StatusOr<std::string> FieldRefValue(const Object& pod, const std::string& path, const PodFacts& facts) {
  const Object& meta = Child(pod, "metadata");
  if (path == "metadata.name") return Str(meta, "name");
  if (path == "metadata.namespace") return Str(meta, "namespace");
  if (path == "metadata.uid") return Str(meta, "uid");
  if (path == "spec.nodeName") return facts.node_name.empty() ? Str(Child(pod, "spec"), "nodeName") : facts.node_name;
  if (path == "spec.serviceAccountName") return Str(Child(pod, "spec"), "serviceAccountName");
  if (path == "status.podIP" || path == "status.podIPs") return facts.pod_ip;
  if (path == "status.hostIP" || path == "status.hostIPs") return facts.host_ip;
  for (const char* map : {"labels", "annotations"}) {
    std::string prefix = std::string("metadata.") + map + "['";
    if (path.rfind(prefix, 0) == 0 && path.size() > prefix.size() + 2 && path.substr(path.size() - 2) == "']") {
      return Str(Child(meta, map), path.substr(prefix.size(), path.size() - prefix.size() - 2).c_str());
    }
  }
  return FailedPreconditionError("unsupported fieldRef fieldPath " + path);
}

// resourceFieldRef: limits.cpu / requests.memory / ... divided by the divisor, rounded up.
StatusOr<std::string> ResourceFieldValue(const Object& container, const Object& ref) {
  std::string resource = Str(ref, "resource");
  auto dot = resource.find('.');
  if (dot == std::string::npos) return FailedPreconditionError("unsupported resourceFieldRef resource " + resource);
  const Object& value = Child(Child(Child(container, "resources"), resource.substr(0, dot).c_str()),
                              resource.substr(dot + 1).c_str());
  if (value.is_null()) return std::string("0");
  MOOR_ASSIGN_OR_RETURN(manifests::Quantity q, manifests::Quantity::FromJson(value));
  manifests::Quantity divisor = manifests::Quantity::FromMilli(1000);
  if (ref.contains("divisor")) {
    MOOR_ASSIGN_OR_RETURN(divisor, manifests::Quantity::FromJson(ref["divisor"]));
  }
  std::int64_t d = divisor.MilliValue();
  if (d <= 0) return FailedPreconditionError("resourceFieldRef divisor must be positive");
  std::int64_t m = q.MilliValue();
  return std::to_string((m + d - 1) / d);
}

struct EnvList {
  std::vector<std::pair<std::string, std::string>> entries;
  std::map<std::string, std::string> values;

  void Set(const std::string& k, const std::string& v) {
    if (values.count(k)) {
      for (auto& e : entries) {
        if (e.first == k) e.second = v;
      }
    } else {
      entries.emplace_back(k, v);
    }
    values[k] = v;
  }
};

StatusOr<std::map<std::string, std::string>> LookupData(const ObjectLookup& lookup, const std::string& kind,
                                                        const std::string& ns, const std::string& name,
                                                        bool optional, bool* missing) {
  *missing = false;
  auto obj = lookup(ObjectKey{kind, ns, name});
  if (!obj.ok()) {
    if (obj.status().code() == StatusCode::kNotFound) {
      *missing = true;
      if (optional) return std::map<std::string, std::string>();
      return FailedPreconditionError((kind == "Secret" ? "secret" : "configmap") + std::string(" \"") + name +
                                     "\" not found");
    }
    return obj.status();
  }
  return ObjectDataOf(*obj);
}

}  // namespace

std::string ExpandVariables(const std::string& input, const std::map<std::string, std::string>& vars) {
  std::string out;
  for (std::size_t i = 0; i < input.size(); ++i) {
    if (input[i] != '$' || i + 1 >= input.size()) {
      out += input[i];
      continue;
    }
    char next = input[i + 1];
    if (next == '$') {
      out += '$';
      ++i;
    } else if (next == '(') {
      std::size_t close = input.find(')', i + 2);
      if (close == std::string::npos) {
        // Unclosed: "$(" stays as written and scanning goes on (a later "$$" is still an escape).
        out += "$(";
        ++i;
        continue;
      }
      std::string name = input.substr(i + 2, close - i - 2);
      auto it = vars.find(name);
      out += it != vars.end() ? it->second : input.substr(i, close - i + 1);
      i = close;
    } else {
      out += '$';
    }
  }
  return out;
}

StatusOr<std::map<std::string, std::string>> ObjectDataOf(const Object& obj) {
  std::map<std::string, std::string> data;
  bool secret = manifests::KindOf(obj) == "Secret";
  for (const char* field : {"data", "binaryData"}) {
    const Object& section = Child(obj, field);
    if (!section.is_object()) continue;
    bool encoded = secret || std::string(field) == "binaryData";
    for (auto it = section.begin(); it != section.end(); ++it) {
      if (!it->is_string()) continue;
      if (!encoded) {
        data[it.key()] = it->get<std::string>();
        continue;
      }
      std::size_t bad = 0;
      auto decoded = manifests::DecodeBase64(it->get<std::string>(), &bad);
      if (!decoded) {
        return FailedPreconditionError(std::string(field) + "." + it.key() + ": illegal base64 data at input byte " +
                                       std::to_string(bad));
      }
      data[it.key()] = *decoded;
    }
  }
  const Object& string_data = Child(obj, "stringData");
  if (secret && string_data.is_object()) {
    for (auto it = string_data.begin(); it != string_data.end(); ++it) {
      if (it->is_string()) data[it.key()] = it->get<std::string>();
    }
  }
  return data;
}

StatusOr<std::vector<std::string>> ResolveContainerEnv(const Object& pod, const Object& container,
                                                       const Object& image_config, const PodFacts& facts,
                                                       const ObjectLookup& lookup) {
  EnvList env;
  const Object& image_env = Child(Child(image_config, "config"), "Env");
  if (image_env.is_array()) {
    for (const Object& e : image_env) {
      if (!e.is_string()) continue;
      std::string entry = e.get<std::string>();
      auto eq = entry.find('=');
      if (eq == std::string::npos) continue;
      env.Set(entry.substr(0, eq), entry.substr(eq + 1));
    }
  }
  std::string ns = manifests::NamespaceOf(pod);
  const Object& env_from = Child(container, "envFrom");
  if (env_from.is_array()) {
    for (const Object& source : env_from) {
      std::string prefix = Str(source, "prefix");
      for (const char* ref_field : {"configMapRef", "secretRef"}) {
        const Object& ref = Child(source, ref_field);
        if (!ref.is_object()) continue;
        std::string kind = std::string(ref_field) == "secretRef" ? "Secret" : "ConfigMap";
        bool missing = false;
        MOOR_ASSIGN_OR_RETURN(auto data, LookupData(lookup, kind, ns, Str(ref, "name"), Optional(ref), &missing));
        for (const auto& [k, v] : data) env.Set(prefix + k, v);
      }
    }
  }
  const Object& env_vars = Child(container, "env");
  if (env_vars.is_array()) {
    for (const Object& var : env_vars) {
      std::string name = Str(var, "name");
      if (name.empty()) continue;
      const Object& value_from = Child(var, "valueFrom");
      if (!value_from.is_object()) {
        env.Set(name, ExpandVariables(Str(var, "value"), env.values));
        continue;
      }
      if (const Object& ref = Child(value_from, "fieldRef"); ref.is_object()) {
        MOOR_ASSIGN_OR_RETURN(std::string v, FieldRefValue(pod, Str(ref, "fieldPath"), facts));
        env.Set(name, v);
      } else if (const Object& rref = Child(value_from, "resourceFieldRef"); rref.is_object()) {
        MOOR_ASSIGN_OR_RETURN(std::string v, ResourceFieldValue(container, rref));
        env.Set(name, v);
      } else {
        for (const char* ref_field : {"configMapKeyRef", "secretKeyRef"}) {
          const Object& kref = Child(value_from, ref_field);
          if (!kref.is_object()) continue;
          std::string kind = std::string(ref_field) == "secretKeyRef" ? "Secret" : "ConfigMap";
          std::string obj_name = Str(kref, "name");
          bool missing = false;
          MOOR_ASSIGN_OR_RETURN(auto data, LookupData(lookup, kind, ns, obj_name, Optional(kref), &missing));
          if (missing) continue;
          auto it = data.find(Str(kref, "key"));
          if (it == data.end()) {
            if (Optional(kref)) continue;
            return FailedPreconditionError("couldn't find key " + Str(kref, "key") + " in " + kind + " " + ns + "/" +
                                           obj_name);
          }
          env.Set(name, it->second);
        }
      }
    }
  }
  std::vector<std::string> out;
  out.reserve(env.entries.size());
  for (const auto& [k, v] : env.entries) out.push_back(k + "=" + v);
  return out;
}

StatusOr<std::vector<std::string>> ResolveContainerArgs(const Object& container, const Object& image_config,
                                                        const std::vector<std::string>& env) {
  std::map<std::string, std::string> vars;
  for (const std::string& e : env) {
    auto eq = e.find('=');
    if (eq != std::string::npos) vars[e.substr(0, eq)] = e.substr(eq + 1);
  }
  auto strings = [](const Object& list) {
    std::vector<std::string> out;
    if (list.is_array()) {
      for (const Object& s : list) {
        if (s.is_string()) out.push_back(s.get<std::string>());
      }
    }
    return out;
  };
  const Object& config = Child(image_config, "config");
  std::vector<std::string> entrypoint = strings(Child(config, "Entrypoint"));
  std::vector<std::string> cmd = strings(Child(config, "Cmd"));
  bool has_command = Child(container, "command").is_array() && !Child(container, "command").empty();
  bool has_args = Child(container, "args").is_array() && !Child(container, "args").empty();
  std::vector<std::string> argv;
  if (has_command) {
    for (const std::string& c : strings(container["command"])) argv.push_back(ExpandVariables(c, vars));
    for (const std::string& a : strings(Child(container, "args"))) argv.push_back(ExpandVariables(a, vars));
  } else {
    argv = entrypoint;
    if (has_args) {
      for (const std::string& a : strings(container["args"])) argv.push_back(ExpandVariables(a, vars));
    } else {
      argv.insert(argv.end(), cmd.begin(), cmd.end());
    }
  }
  if (argv.empty()) {
    return InvalidArgumentError("container " + Str(container, "name") +
                                ": no command specified (the image has no Entrypoint or Cmd)");
  }
  return argv;
}

}  // namespace moor::runtime
