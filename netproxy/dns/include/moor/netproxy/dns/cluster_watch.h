#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "moor/netproxy/dns/cluster_view.h"
#include "moor/store/cluster_client.h"

namespace moor::netproxy::dns {

// Keeps a ClusterView of the cluster's Services and Endpoints current: lists both kinds, then
// watches each in its own thread and publishes a new snapshot after every change. A watch that
// fails with kGone (fell behind) or any other error relists (after a second for errors).
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
  // Stops both threads (idempotent).
  void Stop();

 private:
  struct Mirror {
    std::string kind;
    std::map<std::string, manifests::Object> objects;  // by namespace/name
    std::int64_t resource_version = 0;
    std::unique_ptr<store::Watcher> watcher;
    bool listed = false;
  };

  explicit ClusterWatch(store::ClusterClient* cluster);
  Status List(Mirror& mirror);
  void Run(Mirror& mirror);
  void Publish();  // REQUIRES(mu_)

  store::ClusterClient* cluster_;
  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;                       // GUARDED_BY(mu_)
  Mirror services_;                             // objects GUARDED_BY(mu_); the rest owned by its thread
  Mirror endpoints_;                            // same
  std::shared_ptr<const ClusterView> view_;     // GUARDED_BY(mu_)
  std::thread services_thread_;
  std::thread endpoints_thread_;
};

}  // namespace moor::netproxy::dns
