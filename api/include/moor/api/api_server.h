#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "moor/common/clock.h"
#include "moor/common/status.h"
#include "moor/api/node_services.h"
#include "moor/manifests/load.h"
#include "moor/store/store.h"

namespace moor::api {

// A manifest source as the status endpoint reports it.
struct SourceInfo {
  std::string name;      // "folder": the SourceRef::source / SyncRecord::source value
  std::string type;      // "folder" (later "git")
  std::string location;  // the watched path (or repository URL)
};

struct ApiServerOptions {
  // "host:port" or "[v6addr]:port". Port 0 picks a free port (see ApiServer::Start).
  std::string listen = "127.0.0.1:6443";
  // Where server-ca.crt / serving.crt and their keys live; created at first start.
  std::filesystem::path tls_dir;
  // The bearer token every request but /healthz, /livez and /readyz must carry. Required.
  std::string token;
  store::Store* store = nullptr;  // required; not owned; must outlive the server
  manifests::LoadOptions load;    // validation of objects written through the API
  std::vector<SourceInfo> sources;
  Clock* clock = nullptr;         // nullptr: SystemClock(); used for AGE and timestamps
  // This host's node agent (not owned; must outlive the server). When null, pod logs and
  // /moor/v1/images answer 503 ServiceUnavailable ("no node agent on this server").
  PodLogSource* logs = nullptr;
  ImageService* images = nullptr;
};

class ApiServerImpl;

// The Kubernetes-shaped REST API over HTTPS: discovery, get/list/watch/create/update/delete
// of every kind in manifests::SupportedKinds(), Table output for kubectl, /metrics,
// /moor/v1/status, pod logs (GET .../pods/{name}/log, streamed while following) and this
// node's images (/moor/v1/images). Thread-safe; requests are served on the HTTP library's threads and every
// watch stream on a thread of its own.
class ApiServer {
 public:
  // Ensures the TLS files in options.tls_dir (EnsureServingCertificates with the listen
  // host), then listens. With port 0 the kernel picks a free port (port() reports it).
  // kInvalidArgument for bad options; kUnavailable if the address cannot be bound.
  static StatusOr<std::unique_ptr<ApiServer>> Start(ApiServerOptions options);

  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  uint16_t port() const;
  // "https://127.0.0.1:<port>" (IPv6 hosts in brackets).
  std::string url() const;
  // PEM of the CA that signed the serving certificate (for kubeconfigs).
  const std::string& ca_pem() const;

  // Ends every watch stream, then stops listening and waits for in-flight requests.
  // Idempotent; also run by the destructor.
  void Stop();

 private:
  explicit ApiServer(std::unique_ptr<ApiServerImpl> impl);
  std::unique_ptr<ApiServerImpl> impl_;
};

}  // namespace moor::api
