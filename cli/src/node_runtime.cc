#include "node_runtime.h"

#include <unistd.h>

#include "moor/common/log.h"
#include "moor/netproxy/nftables_service_proxy.h"
#include "moor/runtime/cni_network.h"
#include "moor/runtime/cri_log.h"
#include "moor/runtime/registries_config.h"
#include "moor/runtime/runc_runtime.h"

namespace moor::cli {
namespace {

// `GET .../pods/{name}/log` served from the agent's CRI log files.
class AgentLogSource final : public api::PodLogSource {
 public:
  explicit AgentLogSource(runtime::NodeAgent& agent) : agent_(agent) {}

  Status Stream(const api::PodLogRequest& request, const std::function<bool(std::string_view)>& sink) override {
    MOOR_ASSIGN_OR_RETURN(runtime::ContainerLogRef ref,
                          agent_.LogFor(request.ns, request.pod, request.container, request.previous));
    runtime::LogReadOptions options;
    options.tail_lines = request.tail_lines;
    options.since = request.since;
    options.timestamps = request.timestamps;
    options.follow = request.follow && ref.running;
    std::string ns = request.ns, pod = request.pod, container = request.container, id = ref.container_id;
    auto keep = request.keep_following;
    // Follow while the client is there and the same container instance still runs.
    options.keep_following = [this, ns, pod, container, id, keep] {
      if (keep && !keep()) return false;
      auto now = agent_.LogFor(ns, pod, container, false);
      return now.ok() && now->container_id == id && now->running;
    };
    Status st = runtime::ReadCriLog(ref.path, options, sink);
    if (st.code() == StatusCode::kNotFound) return Status::Ok();  // started, nothing written yet
    return st;
  }

 private:
  runtime::NodeAgent& agent_;
};

api::ImageSummary Summary(const runtime::Image& image, const std::set<std::string>& in_use) {
  return api::ImageSummary{image.id, image.references, image.size, in_use.count(image.id) > 0};
}

// /moor/v1/images over the node's image store.
class AgentImageService final : public api::ImageService {
 public:
  AgentImageService(runtime::ImageStore& images, runtime::NodeAgent& agent) : images_(images), agent_(agent) {}

  StatusOr<std::vector<api::ImageSummary>> List() override {
    MOOR_ASSIGN_OR_RETURN(auto images, images_.List());
    auto in_use = agent_.ImagesInUse();
    std::vector<api::ImageSummary> out;
    for (const auto& image : images) out.push_back(Summary(image, in_use));
    return out;
  }
  StatusOr<api::ImageSummary> Pull(const std::string& reference) override {
    MOOR_ASSIGN_OR_RETURN(auto image, images_.Pull(reference, {}));
    return Summary(image, agent_.ImagesInUse());
  }
  Status Remove(const std::string& reference_or_id) override {
    MOOR_ASSIGN_OR_RETURN(auto image, images_.Get(reference_or_id));
    if (agent_.ImagesInUse().count(image.id)) {
      return FailedPreconditionError("image " + reference_or_id + " is used by a container on this node");
    }
    return images_.Remove(reference_or_id);
  }
  StatusOr<std::vector<api::ImageSummary>> Import(const std::string& path) override {
    MOOR_ASSIGN_OR_RETURN(auto images, images_.Import(path));
    auto in_use = agent_.ImagesInUse();
    std::vector<api::ImageSummary> out;
    for (const auto& image : images) out.push_back(Summary(image, in_use));
    return out;
  }
  StatusOr<std::vector<std::string>> Prune() override {
    MOOR_ASSIGN_OR_RETURN(auto report, images_.CollectGarbage(agent_.ImagesInUse()));
    return report.removed_images;
  }

 private:
  runtime::ImageStore& images_;
  runtime::NodeAgent& agent_;
};

std::string RuncVersion() {
  CommandSpec spec;
  spec.argv = {"runc", "--version"};
  spec.timeout = std::chrono::seconds(5);
  auto result = SystemCommandRunner().Run(spec);
  if (!result.ok() || result->exit_code != 0) return "runc";
  // "runc version 1.1.5+ds1"
  std::string first = result->out.substr(0, result->out.find('\n'));
  auto space = first.rfind(' ');
  return "runc://" + (space == std::string::npos ? first : first.substr(space + 1));
}

}  // namespace

NodeRuntime::~NodeRuntime() { Stop(); }

void NodeRuntime::Stop() {
  if (dns_) dns_->Stop();
  if (proxy_controller_) proxy_controller_->Stop();
  if (binder_) binder_->Stop();
  if (agent_) agent_->Stop();
}

StatusOr<std::unique_ptr<NodeRuntime>> NodeRuntime::Start(const ServerConfig& config, store::Store& store) {
  std::unique_ptr<NodeRuntime> node(new NodeRuntime());
  std::filesystem::path data = config.data_dir;
  node->cluster_ = std::make_unique<store::StoreClusterClient>(store);

  runtime::ImageStoreOptions image_options;
  image_options.root = (data / "images").string();
  if (!config.registries.is_null()) {
    auto registries = runtime::ParseRegistriesConfig(config.registries);
    if (!registries.ok()) return registries.status().WithContext("config registries");
    image_options.registries = *registries;
  }
  image_options.registries.disable_default_endpoint = config.disable_default_registry_endpoint;
  MOOR_ASSIGN_OR_RETURN(node->image_store_, runtime::OpenImageStore(image_options));

  runtime::CniNetworkOptions net_options;
  net_options.name_prefix = config.name_prefix;
  net_options.bridge = config.bridge;
  net_options.pod_subnet = config.pod_subnet;
  net_options.service_cidr = config.service_cidr;
  net_options.pod_egress = config.pod_egress;
  net_options.pod_forward_accept = config.pod_forward_accept;
  net_options.state_dir = (data / "network").string();
  net_options.route_metric = config.route_metric;
  MOOR_ASSIGN_OR_RETURN(node->network_, runtime::CreateCniNetwork(net_options));

  runtime::RuncRuntimeOptions runc_options;
  runc_options.state_dir = (data / "containers").string();
  runc_options.runc_root = (data / "runc").string();
  runc_options.cgroup_parent = config.name_prefix;
  MOOR_ASSIGN_OR_RETURN(node->containers_, runtime::CreateRuncRuntime(runc_options));

  runtime::NodeAgentOptions agent_options;
  agent_options.node_name = config.node_name;
  agent_options.cluster = node->cluster_.get();
  agent_options.runtime = node->containers_.get();
  agent_options.network = node->network_.get();
  agent_options.images = node->image_store_.get();
  agent_options.data_dir = data.string();
  agent_options.pods_dir = (data / "pods").string();
  agent_options.logs_dir = (data / "logs").string();
  agent_options.pvc_dir = (data / "volumes").string();
  agent_options.pod_cidr = config.pod_subnet;
  agent_options.cluster_dns = config.ServiceAddress(10);
  agent_options.runc_root = runc_options.runc_root;
  agent_options.runtime_version = RuncVersion();
  MOOR_ASSIGN_OR_RETURN(node->agent_, runtime::NodeAgent::Start(agent_options));

  reconciler::PodBinderOptions binder_options;
  binder_options.store = &store;
  binder_options.node_name = node->agent_->node_name();
  MOOR_ASSIGN_OR_RETURN(node->binder_, reconciler::PodBinder::Start(binder_options));

  netproxy::NftablesServiceProxyOptions proxy_options;
  proxy_options.nftables.table = config.name_prefix;
  proxy_options.bridge = config.bridge;
  proxy_options.service_cidr = config.service_cidr;
  proxy_options.route_metric = config.route_metric;
  MOOR_ASSIGN_OR_RETURN(node->service_proxy_, netproxy::CreateNftablesServiceProxy(proxy_options));
  netproxy::ServiceProxyControllerOptions controller_options;
  controller_options.cluster = node->cluster_.get();
  controller_options.proxy = node->service_proxy_.get();
  MOOR_ASSIGN_OR_RETURN(node->proxy_controller_, netproxy::ServiceProxyController::Start(controller_options));

  // The cluster DNS on the address the pods' resolv.conf names. Pods run without it if it
  // cannot start (say, something else holds that address's port 53): logged, not fatal.
  netproxy::dns::ClusterDnsOptions dns_options;
  dns_options.cluster = node->cluster_.get();
  dns_options.listen_ip = agent_options.cluster_dns;
  if (config.dns_upstreams) {
    dns_options.upstreams = *config.dns_upstreams;
    if (dns_options.upstreams.empty()) dns_options.resolv_conf = "";
  }
  auto dns = netproxy::dns::ClusterDns::Start(dns_options);
  if (dns.ok()) {
    node->dns_ = std::move(*dns);
  } else {
    LogError("the cluster DNS did not start; pods cannot resolve Service names",
             {{"address", dns_options.listen_ip + ":53"}, {"error", dns.status().ToString()}});
  }

  node->logs_ = std::make_unique<AgentLogSource>(*node->agent_);
  node->image_service_ = std::make_unique<AgentImageService>(*node->image_store_, *node->agent_);
  return node;
}

}  // namespace moor::cli
