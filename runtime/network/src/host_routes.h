#pragma once

#include <string>

#include "moor/common/command.h"
#include "moor/common/status.h"

namespace moor::runtime {

// The host's `unreachable` safety routes, through `ip` (table main). Remembers in a JSON file
// which routes it added itself, so that clean-up - also from another process - removes exactly
// those and never a route somebody else put there. Not thread-safe; CniNetwork serializes.
class HostRoutes {
 public:
  HostRoutes(CommandRunner& runner, std::string record_path) : runner_(runner), record_path_(std::move(record_path)) {}

  // Makes sure "unreachable <cidr> metric <metric>" exists (see cni::PlanUnreachableRoute);
  // records it if this call added it.
  Status EnsureUnreachable(const std::string& cidr, int metric);

  // kFailedPrecondition if `pod_subnet` is routed through anything but `bridge`.
  Status CheckPodSubnet(const std::string& pod_subnet, const std::string& bridge);

  // Deletes every recorded route (a missing one is fine), then the record.
  Status RemoveAdded();

 private:
  struct Added {
    std::string cidr;
    int metric = 0;
  };
  StatusOr<std::vector<Added>> LoadRecord() const;
  Status SaveRecord(const std::vector<Added>& routes) const;
  StatusOr<std::string> ShowExact(const std::string& cidr);

  CommandRunner& runner_;
  std::string record_path_;
};

}  // namespace moor::runtime
