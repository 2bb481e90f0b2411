#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "moor/netproxy/dns/cluster_view.h"
#include "moor/store/cluster_client.h"
#include "moor/store/kind_watch.h"

namespace moor::netproxy::dns {

// Keeps a ClusterView of the cluster's Services and Endpoints current: a store::KindWatch per
// kind (lists, then follows the watch; relists after kGone or a failure) and a new snapshot
// published after every list and change.
class ClusterWatch {
 public:
  // Lists both kinds before returning (so the first View() is complete); fails if a list fails.
  // `cluster` must outlive the watch.
  static StatusOr<std::unique_ptr<ClusterWatch>> Start(store::ClusterClient* cluster);
  ~ClusterWatch();
  ClusterWatch(const ClusterWatch&) = delete;
  ClusterWatch& operator=(const ClusterWatch&) = delete;

  // The newest snapshot; never null. Thread-safe.
  std::shared_ptr<const ClusterView> View() const;
  // Stops both watches (idempotent).
  void Stop();

 private:
  using Objects = std::map<std::string, manifests::Object>;  // by namespace/name

  explicit ClusterWatch(store::ClusterClient* cluster);
  store::KindWatchHandlers Mirror(Objects& objects);
  void Publish();  // REQUIRES(mu_)

  mutable std::mutex mu_;
  Objects services_;                         // GUARDED_BY(mu_)
  Objects endpoints_;                        // GUARDED_BY(mu_)
  std::shared_ptr<const ClusterView> view_;  // GUARDED_BY(mu_)
  // Last: stopped (joined) before the members their handlers use go.
  store::KindWatch services_watch_;
  store::KindWatch endpoints_watch_;
};

}  // namespace moor::netproxy::dns
