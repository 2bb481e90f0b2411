#include "netns_manager.h"

namespace moor::runtime {

NetnsManager::NetnsManager(NetnsHost& host, std::string netns_dir) : host_(host), dir_(std::move(netns_dir)) {
  while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
}

Status NetnsManager::Create(const std::string& name) {
  if (Exists(name)) return Status::Ok();
  // The shared mount set-up is idempotent; once per object is enough.
  const bool share = IsIproute2Dir() && !dir_shared_.load();
  Status done = host_.Create(PathFor(name), share);
  if (!done.ok()) return done.WithContext("creating network namespace " + name);
  if (share) dir_shared_.store(true);
  return Status::Ok();
}

Status NetnsManager::Delete(const std::string& name) { return host_.Remove(PathFor(name)); }

}  // namespace moor::runtime
