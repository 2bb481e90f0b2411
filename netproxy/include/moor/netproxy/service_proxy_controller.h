#pragma once

#include <chrono>
#include <memory>

#include "moor/common/status.h"
#include "moor/netproxy/service_proxy.h"
#include "moor/store/cluster_client.h"

namespace moor::netproxy {

struct ServiceProxyControllerOptions {
  store::ClusterClient* cluster = nullptr;  // required, not owned; must outlive the controller
  ServiceProxy* proxy = nullptr;            // required, not owned; must outlive the controller
  // Bursts of changes are coalesced: at most one Apply per interval; the first change after a
  // quiet period is applied at once.
  std::chrono::milliseconds min_sync_interval{100};
  // The table is re-applied this often even when nothing changed, so a rule someone flushed
  // by hand comes back.
  std::chrono::milliseconds resync{std::chrono::seconds(30)};
  // A failed Apply is retried after this, doubling up to max_backoff.
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(30)};
};

// Keeps the ServiceProxy equal to the cluster's Services and Endpoints: lists and watches both
// kinds through ClusterClient (relisting when a watch is too old, kGone), rebuilds the table
// with BuildServiceTable on change and applies it only when it differs from the last applied
// table (or on the resync timer, or after a failure). Nothing is applied before both kinds have
// been listed once, so a restart never wipes working rules with a half-empty table. Failures are
// logged and retried with backoff. Stop() (or destruction) ends the threads and leaves the rules
// in place; it does not call ServiceProxy::Remove().
class ServiceProxyController {
 public:
  // kInvalidArgument if `cluster` or `proxy` is missing.
  static StatusOr<std::unique_ptr<ServiceProxyController>> Start(ServiceProxyControllerOptions options);
  virtual ~ServiceProxyController() = default;
  // Stops the watches and the sync thread; idempotent.
  virtual void Stop() = 0;
};

}  // namespace moor::netproxy
