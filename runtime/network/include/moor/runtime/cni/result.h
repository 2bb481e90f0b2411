#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "moor/common/command.h"
#include "moor/common/status.h"

// Pure parsers for what CNI plugins print (CNI spec 1.0.0, "Section 5: Result Types").
namespace moor::runtime::cni {

// The sandbox side of a final ADD result.
struct SandboxAddress {
  std::string ip;       // "10.42.0.7" (no prefix length)
  std::string gateway;  // "10.42.0.1", "" if the result names none
  std::string ifname;   // "eth0"
};

// Picks the first IPv4 entry of "ips" whose "interface" index points at an interface with a
// "sandbox" (the pod end); falls back to the first IPv4 entry. kInvalidArgument if the result is
// not an object, has no IPv4 address, or an address does not parse.
StatusOr<SandboxAddress> ParseAddResult(const nlohmann::json& result);

// Parses a plugin's stdout as JSON; kInvalidArgument with `what` and the first bytes if it is not.
StatusOr<nlohmann::json> ParsePluginOutput(const std::string& what, const std::string& out);

// The Status for a failed plugin call. `what` names the call ("CNI bridge ADD"). Uses the CNI
// error object {"code","msg","details"} from stdout when there is one (also from stderr), else
// the first line of stderr. Codes map to Status codes by whether a retry can help: 1 (version),
// 2/4/6/7 (bad config or environment) -> kFailedPrecondition; 3 (unknown container) -> kNotFound;
// 5 (I/O), 11 (try again later) and plugin-specific codes (>= 100) -> kUnavailable; a timeout
// -> kDeadlineExceeded.
Status PluginFailure(const std::string& what, const CommandResult& result);

}  // namespace moor::runtime::cni
