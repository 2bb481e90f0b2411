#include "container_config.h"

#include <algorithm>
#include <sstream>

#include "moor/common/files.h"
#include "moor/manifests/quantity.h"

#include "json_fields.h"

namespace moor::runtime {
namespace {

// True if a "/"-separated path has a ".." element (Kubernetes allows ".." inside a name: "a..b").
bool HasBackstep(const std::string& path) {
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (path.compare(start, end - start, "..") == 0) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

StatusOr<ResourceLimits> ResourceLimitsOf(const Object& container) {
  ResourceLimits limits;
  const Object& resources = Child(container, "resources");
  const Object& requests = Child(resources, "requests");
  const Object& lim = Child(resources, "limits");
  auto quantity = [&](const Object& section, const char* name) -> StatusOr<std::optional<manifests::Quantity>> {
    const Object& v = Child(section, name);
    if (v.is_null()) return std::optional<manifests::Quantity>();
    MOOR_ASSIGN_OR_RETURN(manifests::Quantity q, manifests::Quantity::FromJson(v));
    return std::optional<manifests::Quantity>(q);
  };
  MOOR_ASSIGN_OR_RETURN(auto cpu_request, quantity(requests, "cpu"));
  MOOR_ASSIGN_OR_RETURN(auto cpu_limit, quantity(lim, "cpu"));
  MOOR_ASSIGN_OR_RETURN(auto memory_limit, quantity(lim, "memory"));
  // Kubernetes: a limit without a request means request = limit.
  if (!cpu_request && cpu_limit) cpu_request = cpu_limit;
  if (cpu_request) {
    std::uint64_t shares = static_cast<std::uint64_t>(cpu_request->MilliValue()) * 1024 / 1000;
    limits.cpu_shares = std::max<std::uint64_t>(shares, 2);
  }
  if (cpu_limit) {
    std::int64_t quota = cpu_limit->MilliValue() * static_cast<std::int64_t>(limits.cpu_period_us) / 1000;
    limits.cpu_quota_us = std::max<std::int64_t>(quota, 1000);
  }
  if (memory_limit) limits.memory_limit_bytes = memory_limit->Value();
  return limits;
}

StatusOr<ContainerSpec> BuildContainerSpec(const Object& pod, const Object& container, const Object& image_config,
                                           const std::vector<std::string>& env, const std::vector<std::string>& args,
                                           const std::map<std::string, std::string>& volume_paths,
                                           const SandboxFacts& sandbox) {
  ContainerSpec spec;
  spec.name = Str(container, "name");
  spec.args = args;
  spec.env = env;
  const Object& config = Child(image_config, "config");
  spec.working_dir = Str(container, "workingDir");
  if (spec.working_dir.empty()) spec.working_dir = Str(config, "WorkingDir");
  if (spec.working_dir.empty()) spec.working_dir.assign(1, '/');
  spec.hostname = sandbox.hostname;
  spec.netns_path = sandbox.netns_path;
  spec.tty = BoolField(container, "tty").value_or(false);

  // Security: pod-level securityContext, then the container's, then the image's User.
  const Object& pod_sc = manifests::FieldAt(pod, "spec.securityContext");
  const Object& sc = Child(container, "securityContext");
  SecurityOptions& security = spec.security;
  for (const Object* level : {&pod_sc, &sc}) {
    if (auto v = IntField(*level, "runAsUser")) security.run_as_user = static_cast<std::uint32_t>(*v);
    if (auto v = IntField(*level, "runAsGroup")) security.run_as_group = static_cast<std::uint32_t>(*v);
  }
  for (const Object& g : Child(pod_sc, "supplementalGroups").is_array() ? pod_sc["supplementalGroups"] : Object::array()) {
    if (g.is_number_integer()) security.supplemental_groups.push_back(g.get<std::uint32_t>());
  }
  if (auto fs_group = IntField(pod_sc, "fsGroup")) security.supplemental_groups.push_back(static_cast<std::uint32_t>(*fs_group));
  spec.image_user = Str(config, "User");
  security.privileged = BoolField(sc, "privileged").value_or(false);
  security.read_only_rootfs = BoolField(sc, "readOnlyRootFilesystem").value_or(false);
  if (auto escalation = BoolField(sc, "allowPrivilegeEscalation")) {
    security.no_new_privileges = !*escalation;
  } else {
    // Kubernetes' default allows escalation; moor sets no_new_privs unless the spec says
    // otherwise (or the container is privileged), as the issue asks.
    security.no_new_privileges = !security.privileged;
  }
  security.capabilities_add = StringList(Child(Child(sc, "capabilities"), "add"));
  security.capabilities_drop = StringList(Child(Child(sc, "capabilities"), "drop"));

  MOOR_ASSIGN_OR_RETURN(spec.resources, ResourceLimitsOf(container));

  // Files every container of the pod shares.
  auto bind_file = [&](const std::string& destination, const std::string& source) {
    if (source.empty()) return;
    spec.mounts.push_back(MountSpec{destination, source, "bind", false, {}});
  };
  bind_file("/etc/hosts", sandbox.hosts_file);
  bind_file("/etc/hostname", sandbox.hostname_file);
  bind_file("/etc/resolv.conf", sandbox.resolv_conf_file);

  const Object& mounts = Child(container, "volumeMounts");
  if (mounts.is_array()) {
    const Object& volumes = manifests::FieldAt(pod, "spec.volumes");
    for (const Object& m : mounts) {
      std::string name = Str(m, "name");
      auto it = volume_paths.find(name);
      if (it == volume_paths.end()) {
        return InvalidArgumentError("container " + spec.name + ": volumeMount " + name + ": volume not found");
      }
      std::string source = it->second;
      std::string sub_path = Str(m, "subPath");
      if (!sub_path.empty()) {
        if (sub_path.front() == '/' || HasBackstep(sub_path)) {
          return InvalidArgumentError("container " + spec.name + ": volumeMount " + name + ": invalid subPath " + sub_path);
        }
        source += "/" + sub_path;
      }
      bool read_only = BoolField(m, "readOnly").value_or(false);
      // configMap and secret volumes are always read-only, as in Kubernetes.
      if (volumes.is_array()) {
        for (const Object& v : volumes) {
          if (Str(v, "name") == name && (v.contains("configMap") || v.contains("secret"))) read_only = true;
        }
      }
      spec.mounts.push_back(MountSpec{Str(m, "mountPath"), source, "bind", read_only, {}});
    }
  }
  return spec;
}

std::string PodHostname(const Object& pod) {
  std::string hostname = Str(manifests::FieldAt(pod, "spec"), "hostname");
  if (hostname.empty()) hostname = manifests::NameOf(pod);
  return hostname.substr(0, 63);
}

std::string PodHostsFile(const Object& pod, const std::string& pod_ip, const std::string& hostname) {
  std::string out =
      "# Kubernetes-managed hosts file (moor).\n"
      "127.0.0.1\tlocalhost\n"
      "::1\tlocalhost ip6-localhost ip6-loopback\n"
      "fe00::0\tip6-localnet\n"
      "fe00::0\tip6-mcastprefix\n"
      "fe00::1\tip6-allnodes\n"
      "fe00::2\tip6-allrouters\n";
  if (!pod_ip.empty()) out += pod_ip + "\t" + hostname + "\n";
  const Object& aliases = manifests::FieldAt(pod, "spec.hostAliases");
  if (aliases.is_array() && !aliases.empty()) {
    out += "\n# Entries added by HostAliases.\n";
    for (const Object& alias : aliases) {
      std::string line = Str(alias, "ip");
      for (const std::string& h : StringList(Child(alias, "hostnames"))) line += "\t" + h;
      out += line + "\n";
    }
  }
  return out;
}

std::string PodResolvConf(const Object& pod, const std::string& cluster_dns, const std::string& cluster_domain,
                          const std::string& host_resolv_conf) {
  std::string policy = Str(manifests::FieldAt(pod, "spec"), "dnsPolicy");
  std::vector<std::string> nameservers, searches, options;
  if (policy == "Default") {
    std::istringstream in(host_resolv_conf);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream words(line);
      std::string key, value;
      words >> key;
      if (key == "nameserver" && words >> value) nameservers.push_back(value);
      if (key == "search") {
        while (words >> value) searches.push_back(value);
      }
      if (key == "options") {
        while (words >> value) options.push_back(value);
      }
    }
  } else if (policy != "None") {
    std::string ns = manifests::NamespaceOf(pod);
    nameservers.push_back(cluster_dns);
    searches = {ns + ".svc." + cluster_domain, "svc." + cluster_domain, cluster_domain};
    options.push_back("ndots:5");
  }
  // dnsConfig is merged as kubelet does: nameservers and searches already present are not
  // repeated; an option replaces an earlier one of the same name ("ndots:2" over "ndots:5").
  const Object& dns_config = manifests::FieldAt(pod, "spec.dnsConfig");
  auto add_unique = [](std::vector<std::string>& list, const std::string& value) {
    if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
  };
  for (const std::string& n : StringList(Child(dns_config, "nameservers"))) add_unique(nameservers, n);
  for (const std::string& s : StringList(Child(dns_config, "searches"))) add_unique(searches, s);
  const Object& opts = Child(dns_config, "options");
  if (opts.is_array()) {
    for (const Object& o : opts) {
      std::string name = Str(o, "name");
      std::string value = Str(o, "value");
      std::string option = value.empty() ? name : name + ":" + value;
      auto same = std::find_if(options.begin(), options.end(),
                               [&](const std::string& e) { return e.substr(0, e.find(':')) == name; });
      if (same != options.end()) *same = option;
      else options.push_back(option);
    }
  }
  std::string out;
  for (const std::string& n : nameservers) out += "nameserver " + n + "\n";
  if (!searches.empty()) {
    out += "search";
    for (const std::string& s : searches) out += " " + s;
    out += "\n";
  }
  if (!options.empty()) {
    out += "options";
    for (const std::string& o : options) out += " " + o;
    out += "\n";
  }
  return out;
}

std::string ContainerSpecHash(const Object& container) {
  Object relevant = container;
  if (relevant.is_object()) {
    for (const char* field : {"livenessProbe", "readinessProbe", "startupProbe", "terminationMessagePath",
                              "terminationMessagePolicy", "imagePullPolicy"}) {
      relevant.erase(field);
    }
  }
  return Sha256Hex(relevant.dump()).substr(0, 16);
}

}  // namespace moor::runtime
