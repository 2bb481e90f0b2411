#include "cni_network_impl.h"

#include "argv_command.h"
#include "egress_masquerade.h"
#include "forward_accept.h"

#include <filesystem>
#include <functional>
#include <system_error>

#include "moor/common/files.h"
#include "moor/common/log.h"
#include "moor/common/nft.h"
#include "moor/runtime/cni/config.h"
#include "moor/runtime/cni/result.h"

namespace moor::runtime {

namespace {

nlohmann::json WithoutPortmap(const nlohmann::json& conflist) {
  nlohmann::json out = conflist;
  nlohmann::json plugins = nlohmann::json::array();
  for (const auto& plugin : conflist.value("plugins", nlohmann::json::array())) {
    if (plugin.value("type", "") != "portmap") plugins.push_back(plugin);
  }
  out["plugins"] = plugins;
  return out;
}

constexpr const char* kPodIfname = "eth0";

CommandRunner& RunnerOf(const CniNetworkOptions& o) { return o.runner ? *o.runner : SystemCommandRunner(); }

SandboxNetwork NetworkOf(const SandboxRecord& r) { return {r.netns_path, r.ip, r.gateway}; }

// Plugin types a conflist uses.
std::vector<std::string> PluginTypes(const nlohmann::json& conflist) {
  std::vector<std::string> types;
  for (const auto& p : conflist["plugins"]) {
    types.push_back(p["type"].get<std::string>());
    if (p.contains("ipam") && p["ipam"].contains("type")) types.push_back(p["ipam"]["type"].get<std::string>());
  }
  return types;
}

// Keeps `first` if it is already an error.
void Keep(Status& first, const Status& next) {
  if (first.ok() && !next.ok()) first = next;
}

Status CheckId(const std::string& sandbox_id) {
  if (cni::IsValidSandboxId(sandbox_id)) return Status::Ok();
  return InvalidArgumentError("sandbox id \"" + sandbox_id +
                              "\" must be 1 to 64 characters of A-Z, a-z, 0-9, '_', '.', '-', not starting with '.' or '-'");
}

}  // namespace

CniNetwork::CniNetwork(CniNetworkOptions options, NetnsHost* netns_host)
    : options_(std::move(options)),
      runner_(RunnerOf(options_)),
      netns_(netns_host ? *netns_host : SystemNetnsHost(), options_.netns_dir),
      plugins_(runner_, options_.cni_bin_dir),
      records_(options_.state_dir + "/sandboxes"),
      routes_(runner_, options_.state_dir + "/routes-added.json"),
      conflist_(cni::BuildConflist(options_)),
      conflist_without_ports_(WithoutPortmap(conflist_)) {}

std::string CniNetwork::EgressTable() const { return options_.name_prefix + "-egress"; }

ForwardAcceptRule CniNetwork::ForwardRule() const {
  return ForwardAcceptRule{"moor " + options_.name_prefix + " pods", options_.pod_subnet};
}

std::mutex& CniNetwork::LockFor(const std::string& sandbox_id) {
  return id_mu_[std::hash<std::string>{}(sandbox_id) % id_mu_.size()];
}

Status CniNetwork::Init() {
  std::lock_guard<std::mutex> init_lock(init_mu_);
  std::lock_guard<std::mutex> host_lock(host_mu_);
  MOOR_RETURN_IF_ERROR(plugins_.CheckPlugins(PluginTypes(conflist_)));

  std::error_code ec;
  std::filesystem::create_directories(cni::IpamDataDir(options_), ec);
  if (ec) return UnavailableError("creating " + cni::IpamDataDir(options_) + ": " + ec.message());

  // The safety net before anything else: nothing of the pod or service range may ever leave
  // the machine.
  MOOR_RETURN_IF_ERROR(routes_.EnsureUnreachable(options_.cluster_cidr, options_.route_metric));
  MOOR_RETURN_IF_ERROR(routes_.EnsureUnreachable(options_.service_cidr, options_.route_metric));
  MOOR_RETURN_IF_ERROR(routes_.CheckPodSubnet(options_.pod_subnet, options_.bridge));
  const std::string egress = EgressTable();
  MOOR_RETURN_IF_ERROR(RunNftScript(
      runner_, egress,
      options_.pod_egress ? RenderEgressTable({egress, options_.pod_subnet, options_.cluster_cidr, options_.service_cidr,
                                               options_.bridge})
                          : NftReplaceTablePrefix(egress)));

  if (options_.pod_forward_accept) {
    MOOR_RETURN_IF_ERROR(EnsureForwardAccept(runner_, ForwardRule()));
  } else if (Status removed = RemoveForwardAccept(runner_, ForwardRule()); !removed.ok()) {
    // Off, and iptables missing or failing: there is nothing of moor's to keep out of the way.
    LogWarn("could not check for moor's FORWARD accept rules", {{"error", removed.ToString()}});
  }

  MOOR_RETURN_IF_ERROR(WriteFileAtomic(cni::ConflistPath(options_), conflist_.dump(2) + "\n"));
  initialized_.store(true);
  LogInfo("pod network ready", {{"network", options_.name_prefix}, {"bridge", options_.bridge},
                                {"subnet", options_.pod_subnet}, {"egress", options_.pod_egress ? "masqueraded" : "none"},
                                {"forward_accept", options_.pod_forward_accept ? "yes" : "no"}});
  return Status::Ok();
}

StatusOr<SandboxNetwork> CniNetwork::Setup(const std::string& sandbox_id, const std::vector<PortMapping>& ports) {
  MOOR_RETURN_IF_ERROR(CheckId(sandbox_id));
  MOOR_ASSIGN_OR_RETURN(std::vector<PortMapping> normalized, cni::NormalizePortMappings(ports));
  if (!initialized_.load()) {
    return FailedPreconditionError("pod network " + options_.name_prefix + ": Init() must succeed before Setup()");
  }
  std::lock_guard<std::mutex> id_lock(LockFor(sandbox_id));
  MOOR_ASSIGN_OR_RETURN(std::optional<SandboxRecord> existing, records_.Load(sandbox_id));
  const std::string name = NetnsName(sandbox_id);
  if (existing && existing->ready && netns_.Exists(name)) return NetworkOf(*existing);
  if (existing || netns_.Exists(name)) {
    // A crashed or half-done earlier attempt (or a namespace someone deleted): start clean.
    Status cleaned = TeardownSteps(sandbox_id, existing);
    if (!cleaned.ok()) return cleaned.WithContext("cleaning up an earlier attempt of sandbox " + sandbox_id);
  }

  SandboxRecord record;
  record.id = sandbox_id;
  record.container_id = name;
  record.netns_path = netns_.PathFor(name);
  record.ports = std::move(normalized);
  // portmap only where there are ports to map: one plugin run less for most pods. The record
  // keeps the list used, so DEL runs exactly the plugins ADD ran.
  record.conflist = record.ports.empty() ? conflist_without_ports_ : conflist_;
  MOOR_RETURN_IF_ERROR(records_.Save(record));  // so that a crash from here on can be undone

  Status done = SetupSteps(record);
  if (!done.ok()) {
    Status undone = TeardownSteps(sandbox_id, record);
    if (!undone.ok()) {
      LogWarn("undoing a failed sandbox network setup failed",
              {{"sandbox", sandbox_id}, {"error", undone.ToString()}});
      return Status(done.code(), done.message() + " (undo failed too: " + undone.message() +
                                     "; Teardown() retries it)");
    }
    return done;
  }
  LogInfo("sandbox network set up", {{"sandbox", sandbox_id}, {"ip", record.ip}, {"netns", record.netns_path}});
  return NetworkOf(record);
}

std::unique_lock<std::mutex> CniNetwork::HostLock(bool has_ports) {
  std::unique_lock<std::mutex> lock(host_mu_, std::defer_lock);
  if (has_ports || !host_ready_.load()) lock.lock();
  return lock;
}

Status CniNetwork::SetupSteps(SandboxRecord& record) {
  const std::string name = NetnsName(record.id);
  std::unique_lock<std::mutex> host_lock = HostLock(!record.ports.empty());
  MOOR_RETURN_IF_ERROR(netns_.Create(name));  // with lo up
  CniInvocation pod{record.container_id, record.netns_path, kPodIfname, record.ports};
  MOOR_ASSIGN_OR_RETURN(record.result, plugins_.Add(record.conflist, pod));
  MOOR_ASSIGN_OR_RETURN(cni::SandboxAddress address, cni::ParseAddResult(record.result));
  record.ip = address.ip;
  record.gateway = address.gateway;
  record.ready = true;
  host_ready_.store(true);
  return records_.Save(record);
}

StatusOr<SandboxNetwork> CniNetwork::Inspect(const std::string& sandbox_id) {
  MOOR_RETURN_IF_ERROR(CheckId(sandbox_id));
  std::lock_guard<std::mutex> id_lock(LockFor(sandbox_id));
  MOOR_ASSIGN_OR_RETURN(std::optional<SandboxRecord> record, records_.Load(sandbox_id));
  if (!record) return NotFoundError("sandbox network " + sandbox_id + " not found");
  if (!record->ready) return NotFoundError("sandbox network " + sandbox_id + " was never completely set up");
  if (!netns_.Exists(NetnsName(sandbox_id))) {
    return NotFoundError("sandbox network " + sandbox_id + ": namespace " + record->netns_path + " is gone");
  }
  return NetworkOf(*record);
}

Status CniNetwork::Teardown(const std::string& sandbox_id) {
  MOOR_RETURN_IF_ERROR(CheckId(sandbox_id));
  std::lock_guard<std::mutex> id_lock(LockFor(sandbox_id));
  MOOR_ASSIGN_OR_RETURN(std::optional<SandboxRecord> record, records_.Load(sandbox_id));
  Status done = TeardownSteps(sandbox_id, record);
  if (!done.ok()) return done.WithContext("tearing down sandbox network " + sandbox_id);
  return done;
}

Status CniNetwork::TeardownSteps(const std::string& sandbox_id, const std::optional<SandboxRecord>& record) {
  const std::string name = NetnsName(sandbox_id);
  std::unique_lock<std::mutex> host_lock = HostLock(!record || !record->ports.empty());
  const bool have_netns = netns_.Exists(name);
  if (!record && !have_netns) return Status::Ok();

  auto pick = [](const nlohmann::json& saved, const nlohmann::json& current) -> const nlohmann::json& {
    return saved.is_object() && saved.contains("plugins") ? saved : current;
  };
  const nlohmann::json null_result;
  const std::string container_id = record && !record->container_id.empty() ? record->container_id : name;
  // A gone namespace is passed as "" (CNI allows that for DEL); the plugins then release what
  // lives outside it (IP lease, iptables rules).
  const std::string netns = have_netns ? netns_.PathFor(name) : "";
  Status first;
  Keep(first, plugins_.Del(pick(record ? record->conflist : null_result, conflist_),
                           {container_id, netns, kPodIfname, record ? record->ports : std::vector<PortMapping>{}},
                           record ? record->result : null_result));
  // The namespace goes even if a DEL failed: its veth dies with it, and a retried Teardown
  // (the record stays) runs DEL again without it.
  Keep(first, netns_.Delete(name));
  if (first.ok()) {
    Keep(first, records_.Remove(sandbox_id));
    LogInfo("sandbox network torn down", {{"sandbox", sandbox_id}});
  }
  return first;
}

StatusOr<std::vector<std::string>> CniNetwork::List() { return records_.List(); }

Status CniNetwork::RemoveHostState() {
  Status first;
  auto ids = List();
  if (!ids.ok()) return ids.status();
  for (const std::string& id : *ids) Keep(first, Teardown(id));
  {
    std::lock_guard<std::mutex> host_lock(host_mu_);
    std::error_code ec;
    if (std::filesystem::exists("/sys/class/net/" + options_.bridge + "/bridge", ec)) {
      auto deleted = RunChecked(runner_, ArgvCommand({"ip", "link", "delete", options_.bridge}));
      if (!deleted.ok()) Keep(first, deleted.status());
    }
    Keep(first, routes_.RemoveAdded());
    Keep(first, RunNftScript(runner_, EgressTable(), NftReplaceTablePrefix(EgressTable())));
    Keep(first, RemoveForwardAccept(runner_, ForwardRule()));
  }
  return first;
}

}  // namespace moor::runtime
