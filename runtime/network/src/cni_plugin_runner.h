#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "moor/common/command.h"
#include "moor/common/status.h"
#include "moor/runtime/pod_network.h"

namespace moor::runtime {

// What one ADD or DEL of a conflist is about.
struct CniInvocation {
  std::string container_id;
  std::string netns;   // path; may be empty for DEL when the namespace is gone
  std::string ifname;  // "eth0", "lo"
  std::vector<PortMapping> ports;
};

// Runs the plugins of a conflist as the CNI spec (1.0.0) says: each plugin is the executable
// <cni_bin_dir>/<type>, configured through CNI_* environment variables and its JSON on stdin.
// Stateless and thread-safe; it does not serialize calls (CniNetwork does).
class CniPluginRunner {
 public:
  CniPluginRunner(CommandRunner& runner, std::string cni_bin_dir,
                  std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // kFailedPrecondition naming every missing plugin of `types`.
  Status CheckPlugins(const std::vector<std::string>& types) const;

  // ADD of every plugin in order, each getting the previous plugin's result as prevResult;
  // returns the last result. On a failure, stops and returns it (the caller runs Del to undo).
  StatusOr<nlohmann::json> Add(const nlohmann::json& conflist, const CniInvocation& invocation);

  // DEL of every plugin in reverse order, each getting `prev_result` (the saved ADD result;
  // null if there is none). Runs every plugin even after a failure; returns the first failure.
  Status Del(const nlohmann::json& conflist, const CniInvocation& invocation, const nlohmann::json& prev_result);

 private:
  StatusOr<nlohmann::json> Invoke(const std::string& command, const nlohmann::json& conflist, std::size_t index,
                                  const CniInvocation& invocation, const nlohmann::json& prev_result);

  CommandRunner& runner_;
  std::string bin_dir_;
  std::chrono::milliseconds timeout_;
};

}  // namespace moor::runtime
