#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "moor/api/kubeconfig.h"
#include "moor/api/node_services.h"
#include "moor/common/status.h"
#include "moor/manifests/kinds.h"
#include "moor/manifests/object.h"

namespace moor::api {

using manifests::KindInfo;
using manifests::Object;

class HttpTransport;

// One event of a watch stream.
struct ClientWatchEvent {
  std::string type;  // "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK"
  Object object;
};

// The parts of metav1.DeleteOptions the client sends.
struct DeleteOptions {
  // nullopt: the object's own (a Pod's spec.terminationGracePeriodSeconds); 0: at once.
  std::optional<int64_t> grace_period_seconds;
  std::string precondition_uid;                // "" = none
  std::optional<int64_t> precondition_rv;
};

// A typed client of a Kubernetes-shaped API server (moor's, or a real one for the parts
// moor uses). Every error the server sends comes back as a Status whose code follows the
// HTTP code (404 kNotFound, 409 kConflict / kAlreadyExists, 410 kGone, 400/422
// kInvalidArgument, 401 kUnauthenticated, ...) and whose message is the server's
// (`deployments.apps "web" not found`). Transport failures are kUnavailable.
// Thread-safe.
class ApiClient {
 public:
  // TLS verifies the server against config.ca_pem (system roots if empty); every request
  // carries `Authorization: Bearer <token>`. kInvalidArgument for a malformed server URL.
  static StatusOr<std::unique_ptr<ApiClient>> Create(const Kubeconfig& config);
  ~ApiClient();

  StatusOr<Object> Get(const KindInfo& kind, const std::string& ns, const std::string& name);
  // The List object ("DeploymentList": metadata.resourceVersion, items). ns nullopt: every
  // namespace. Selectors in kubectl's syntax; "" selects everything.
  StatusOr<Object> List(const KindInfo& kind, const std::optional<std::string>& ns,
                        const std::string& label_selector = "", const std::string& field_selector = "");
  // A meta.k8s.io/v1 Table as kubectl asks for it (rows carry PartialObjectMetadata).
  // With a name: the one object's table.
  StatusOr<Object> Table(const KindInfo& kind, const std::optional<std::string>& ns,
                         const std::optional<std::string>& name, const std::string& label_selector = "",
                         const std::string& field_selector = "");
  // The kind comes from the object's apiVersion/kind (kInvalidArgument if unsupported); the
  // namespace from metadata.namespace ("default" for namespaced kinds when unset).
  StatusOr<Object> Create(const Object& obj);
  // PUT; metadata.resourceVersion, when set, is the precondition.
  StatusOr<Object> Update(const Object& obj);
  // PUT .../status.
  StatusOr<Object> UpdateStatus(const Object& obj);
  // Returns the object as the delete left it: its last state if removed, or (a Pod bound to a
  // node, deleted with a grace > 0) the object marked with metadata.deletionTimestamp, which
  // stays until its node has stopped it.
  StatusOr<Object> Delete(const KindInfo& kind, const std::string& ns, const std::string& name,
                          const DeleteOptions& options = {});

  // Streams changes after `resource_version` ("" or "0": ADDED for every current object
  // first). Calls `on_event` for each event on the calling thread until it returns false,
  // the server ends the stream (timeout_seconds; 0 = the server's default) or an error
  // occurs. An ERROR event from the server (e.g. 410 Expired) becomes the returned Status.
  Status Watch(const KindInfo& kind, const std::optional<std::string>& ns, const std::string& resource_version,
               const std::function<bool(const ClientWatchEvent&)>& on_event, int timeout_seconds = 0,
               const std::string& label_selector = "", const std::string& field_selector = "");

  // GET /version.
  StatusOr<Object> Version();
  // GET /moor/v1/status.
  StatusOr<Object> SourceStatus();
  // GET of any path (e.g. "/metrics"); returns the body of a 2xx answer.
  StatusOr<std::string> RawGet(const std::string& path_and_query);

  // GET .../pods/{name}/log with request's container, follow, previous, timestamps and
  // tail_lines (request.keep_following is not sent). Hands the log text to `sink` as it
  // arrives, in chunks of any size, until the log ends (with follow: the container is gone)
  // or `sink` returns false (Ok). Server errors as for Get ("container \"a\" in pod \"web\" is
  // waiting to start: ContainerCreating" is kInvalidArgument, the code of HTTP 400).
  Status StreamLogs(const PodLogRequest& request, const std::function<bool(std::string_view)>& sink);

  // This node's images (/moor/v1/images). Without a node agent the server answers
  // kUnavailable "no node agent on this server".
  StatusOr<std::vector<ImageSummary>> ListImages();
  // Pulls `reference` on the server (waits up to an hour for it) and returns the image.
  StatusOr<ImageSummary> PullImage(const std::string& reference);
  // Removes one image by reference or id ("sha256:..."); the server refuses one in use.
  Status RemoveImage(const std::string& reference_or_id);
  // Imports a `docker save` or OCI archive that is a file on the server's host.
  StatusOr<std::vector<ImageSummary>> ImportImage(const std::string& path_on_server);
  // Removes images no container uses and no reference names; returns their ids.
  StatusOr<std::vector<std::string>> PruneImages();

  const Kubeconfig& config() const { return config_; }

 private:
  ApiClient(Kubeconfig config, std::unique_ptr<HttpTransport> transport);
  // Sends `obj` as the JSON body of `method path` and parses the JSON answer.
  StatusOr<Object> SendObject(const std::string& method, const std::string& path, const Object& obj);
  Kubeconfig config_;
  std::unique_ptr<HttpTransport> transport_;
};

// The path of a kind's collection or object: "/apis/apps/v1/namespaces/ns/deployments/web",
// "/api/v1/namespaces" (ns ignored for cluster-scoped kinds; nullopt = all namespaces).
std::string ResourcePath(const KindInfo& kind, const std::optional<std::string>& ns, const std::string& name = "");

}  // namespace moor::api
