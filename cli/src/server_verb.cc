// `moor server`: the daemon. Opens the store, serves the API, watches the manifests folder,
// and runs until SIGINT/SIGTERM.
#include <malloc.h>
#include <signal.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "moor/api/api_server.h"
#include "moor/api/kubeconfig.h"
#include "moor/common/clock.h"
#include "moor/common/files.h"
#include "moor/common/log.h"
#include "moor/reconciler/folder_source.h"
#include "moor/store/sqlite_store.h"
#include "node_runtime.h"
#include "server_config.h"
#include "server_controllers.h"
#include "verbs.h"

namespace moor::cli {
namespace {

struct ServerFlags {
  std::string config_file;
  std::string data_dir;
  std::string manifests;
  std::string listen;
  std::string log_level;
  bool strict = false;
  bool disable_agent = false;
  bool check_config = false;
};

// Read when --config is not given and the file exists (the Debian package installs it).
constexpr char kSystemConfigFile[] = "/etc/moor/config.yaml";

// The namespaces every Kubernetes cluster has.
Status EnsureSystemNamespaces(store::Store& store) {
  store::Transaction txn;
  for (const char* name : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    auto existing = store.Get({"Namespace", "", name});
    if (existing.ok()) continue;
    store::WriteOp op;
    op.type = store::WriteOp::Type::kCreate;
    op.object = {{"apiVersion", "v1"},
                 {"kind", "Namespace"},
                 {"metadata", {{"name", name}, {"labels", {{"kubernetes.io/metadata.name", name}}}}},
                 {"spec", {{"finalizers", {"kubernetes"}}}}};
    txn.ops.push_back(std::move(op));
  }
  if (txn.ops.empty()) return Status::Ok();
  return store.Commit(txn).status();
}

// The bearer token survives restarts so that kubeconfigs handed out stay valid.
std::string LoadOrCreateToken(const std::filesystem::path& kubeconfig_path) {
  auto existing = api::ReadKubeconfig(kubeconfig_path);
  if (existing.ok() && !existing->token.empty()) return existing->token;
  return RandomHex(32);
}

std::string HostOf(const std::string& listen) {
  if (!listen.empty() && listen.front() == '[') return listen.substr(1, listen.find(']') - 1);
  auto colon = listen.rfind(':');
  return colon == std::string::npos ? listen : listen.substr(0, colon);
}

int RunServer(const ServerFlags& flags) {
  MonoTime started = SystemClock().Monotonic();
  // glibc gives each thread that allocates its own malloc arena (up to 8 per core); the
  // daemon's threads mostly wait, so two arenas hold its memory without contention.
  ::mallopt(M_ARENA_MAX, 2);
  ServerConfig config;
  std::string config_file = flags.config_file;
  std::error_code exists_ec;
  if (config_file.empty() && std::filesystem::exists(kSystemConfigFile, exists_ec)) config_file = kSystemConfigFile;
  if (!config_file.empty()) {
    Status s = LoadServerConfig(config_file, config);
    if (!s.ok()) {
      std::cerr << "moor server: " << s.message() << "\n";
      return 2;
    }
  }
  if (!flags.data_dir.empty()) config.data_dir = flags.data_dir;
  if (!flags.manifests.empty()) config.manifests = flags.manifests;
  if (!flags.listen.empty()) config.listen = flags.listen;
  if (!flags.log_level.empty()) config.log_level = flags.log_level;
  if (flags.strict) config.strict = true;
  if (flags.disable_agent) config.disable_agent = true;

  LogLevel level;
  if (!ParseLogLevel(config.log_level, &level)) {
    std::cerr << "moor server: unknown log level \"" << config.log_level << "\" (debug, info, warn, error)\n";
    return 2;
  }
  SetLogLevel(level);
  const std::string config_source = config_file.empty() ? "(built-in defaults)" : config_file;
  if (flags.check_config) {
    std::cout << "config " << config_source << " is valid\n"
              << "data dir:  " << config.data_dir.string() << "\n"
              << "manifests: " << config.ManifestsDir().string() << "\n"
              << "api:       https://" << config.listen << "\n"
              << "agent:     " << (config.disable_agent ? "disabled" : "bridge " + config.bridge + ", pods " + config.pod_subnet +
                                                            (config.pod_egress ? ", egress masqueraded" : ", no egress") +
                                                            (config.pod_forward_accept ? ", FORWARD accepts pods" : ""))
              << "\n";
    return 0;
  }

  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    std::cerr << "moor server: cannot create data dir " << config.data_dir << ": " << ec.message() << "\n";
    return 1;
  }
  ::chmod(config.data_dir.c_str(), 0700);

  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto store = store::OpenSqliteStore({.path = config.data_dir / "state.db"});
  if (!store.ok()) {
    LogError("cannot open the store", {{"error", store.status().ToString()}});
    return 1;
  }
  if (Status s = EnsureSystemNamespaces(**store); !s.ok()) {
    LogError("cannot create system namespaces", {{"error", s.ToString()}});
    return 1;
  }

  auto controllers = ServerControllers::Start(config, **store);
  if (!controllers.ok()) {
    LogError("cannot start the controllers", {{"error", controllers.status().ToString()}});
    return 1;
  }

  // The node agent first: the API serves its logs and images.
  std::unique_ptr<NodeRuntime> node;
  if (!config.disable_agent) {
    auto started_node = NodeRuntime::Start(config, **store);
    if (!started_node.ok()) {
      LogError("cannot start the node agent (run with --disable-agent to serve the store and API only)",
               {{"error", started_node.status().ToString()}});
      return 1;
    }
    node = std::move(*started_node);
  }

  std::filesystem::path kubeconfig_path = api::DefaultKubeconfigPath(config.data_dir);
  bool first_start = !std::filesystem::exists(kubeconfig_path, exists_ec);
  std::string token = LoadOrCreateToken(kubeconfig_path);
  api::ApiServerOptions api_options;
  api_options.listen = config.listen;
  api_options.tls_dir = config.data_dir / "tls";
  api_options.token = token;
  api_options.store = store->get();
  api_options.load.strict = config.strict;
  api_options.sources.push_back({"folder", "folder", config.ManifestsDir().string()});
  if (node) {
    api_options.logs = node->logs();
    api_options.images = node->images();
  }
  auto server = api::ApiServer::Start(api_options);
  if (!server.ok()) {
    LogError("cannot start the API server", {{"error", server.status().ToString()}});
    return 1;
  }
  // Clients reach a wildcard listener through loopback.
  std::string server_url = (*server)->url();
  std::string host = HostOf(config.listen);
  if (host == "0.0.0.0" || host == "::") server_url = "https://127.0.0.1:" + std::to_string((*server)->port());
  if (Status s = api::WriteKubeconfig(kubeconfig_path, {server_url, token, (*server)->ca_pem()}); !s.ok()) {
    LogError("cannot write the kubeconfig", {{"error", s.ToString()}});
    return 1;
  }

  reconciler::FolderSourceOptions folder_options;
  folder_options.root = config.ManifestsDir();
  folder_options.store = store->get();
  folder_options.resync_interval = config.resync_interval;
  folder_options.load.strict = config.strict;
  auto folder = reconciler::FolderSource::Start(folder_options);
  if (!folder.ok()) {
    LogError("cannot watch the manifests folder", {{"error", folder.status().ToString()}});
    return 1;
  }

  auto ready_ms = std::chrono::duration_cast<std::chrono::milliseconds>(SystemClock().Monotonic() - started);
  if (first_start) {
    LogInfo("first start: wrote the kubeconfig (root only); moor and kubectl use it",
            {{"kubeconfig", kubeconfig_path.string()}, {"try", "KUBECONFIG=" + kubeconfig_path.string() + " kubectl get all"}});
  }
  LogInfo("moor server ready", {{"api", server_url},
                                {"config", config_source},
                                {"kubeconfig", kubeconfig_path.string()},
                                {"manifests", config.ManifestsDir().string()},
                                {"data_dir", config.data_dir.string()},
                                {"startup_ms", std::to_string(ready_ms.count())}});

  int sig = 0;
  sigwait(&stop_signals, &sig);
  LogInfo("stopping", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
  (*folder)->Stop();
  (*server)->Stop();
  (*controllers)->Stop();
  if (node) node->Stop();  // the pods keep running; the next start adopts them
  return 0;
}

}  // namespace

void AddServerVerb(CLI::App& app, GlobalOptions& /*global*/, int& exit_code) {
  auto flags = std::make_shared<ServerFlags>();
  CLI::App* cmd = app.add_subcommand("server", "Run the moor daemon: store, API, and the watched manifests folder");
  cmd->add_option("--config", flags->config_file,
                  "YAML config file (default /etc/moor/config.yaml if it exists; every key is explained there)");
  cmd->add_option("--data-dir", flags->data_dir, "State directory (default /var/lib/moor)");
  cmd->add_option("--manifests", flags->manifests, "Folder of manifests to watch (default <data-dir>/manifests)");
  cmd->add_option("--listen", flags->listen, "API address (default 127.0.0.1:6443)");
  cmd->add_option("--log-level", flags->log_level, "debug, info, warn or error (default info)");
  cmd->add_flag("--strict", flags->strict, "Treat unknown manifest fields as errors");
  cmd->add_flag("--disable-agent", flags->disable_agent,
                "Run no containers on this host: store, API and manifests only");
  cmd->add_flag("--check-config", flags->check_config,
                "Read the config file and flags, print where config, data and manifests are, and exit "
                "(non-zero with file:line if the config is wrong)");
  cmd->footer("With no arguments: /etc/moor/config.yaml if present, state in /var/lib/moor, manifests watched in\n"
              "/var/lib/moor/manifests, the CLI's kubeconfig written to /var/lib/moor/moor.kubeconfig (mode 0600).");
  cmd->callback([flags, &exit_code] { exit_code = RunServer(*flags); });
}

}  // namespace moor::cli
