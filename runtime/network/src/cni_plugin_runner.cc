#include "cni_plugin_runner.h"

#include <unistd.h>

#include "moor/runtime/cni/config.h"
#include "moor/runtime/cni/result.h"

namespace moor::runtime {

CniPluginRunner::CniPluginRunner(CommandRunner& runner, std::string cni_bin_dir, std::chrono::milliseconds timeout)
    : runner_(runner), bin_dir_(std::move(cni_bin_dir)), timeout_(timeout) {}

Status CniPluginRunner::CheckPlugins(const std::vector<std::string>& types) const {
  std::string missing;
  for (const std::string& type : types) {
    std::string path = bin_dir_ + "/" + type;
    if (::access(path.c_str(), X_OK) != 0) missing += (missing.empty() ? "" : ", ") + path;
  }
  if (missing.empty()) return Status::Ok();
  return FailedPreconditionError("CNI plugins missing: " + missing +
                                 " (install Debian's containernetworking-plugins or set cni_bin_dir)");
}

StatusOr<nlohmann::json> CniPluginRunner::Invoke(const std::string& command, const nlohmann::json& conflist,
                                                 std::size_t index, const CniInvocation& invocation,
                                                 const nlohmann::json& prev_result) {
  MOOR_ASSIGN_OR_RETURN(nlohmann::json input, cni::PluginInput(conflist, index, prev_result, invocation.ports));
  const std::string type = input["type"].get<std::string>();
  const std::string what = "CNI " + type + " " + command + " for " + invocation.container_id;
  if (type.find('/') != std::string::npos || type.empty()) {
    return FailedPreconditionError(what + ": plugin type must be a plain file name");
  }
  CommandSpec spec;
  spec.argv = {bin_dir_ + "/" + type};
  spec.env = cni::PluginEnvironment(command, invocation.container_id, invocation.netns, invocation.ifname, bin_dir_);
  spec.input = input.dump();
  spec.timeout = timeout_;
  auto ran = runner_.Run(spec);
  if (!ran.ok()) return ran.status().WithContext(what);
  if (ran->exit_code != 0 || ran->timed_out) return cni::PluginFailure(what, *ran);
  if (command != "ADD") return nlohmann::json();
  return cni::ParsePluginOutput(what, ran->out);
}

StatusOr<nlohmann::json> CniPluginRunner::Add(const nlohmann::json& conflist, const CniInvocation& invocation) {
  if (!conflist.contains("plugins") || !conflist["plugins"].is_array() || conflist["plugins"].empty()) {
    return InvalidArgumentError("CNI conflist has no plugins");
  }
  nlohmann::json result;
  for (std::size_t i = 0; i < conflist["plugins"].size(); ++i) {
    MOOR_ASSIGN_OR_RETURN(result, Invoke("ADD", conflist, i, invocation, result));
  }
  return result;
}

Status CniPluginRunner::Del(const nlohmann::json& conflist, const CniInvocation& invocation,
                            const nlohmann::json& prev_result) {
  if (!conflist.contains("plugins") || !conflist["plugins"].is_array()) {
    return InvalidArgumentError("CNI conflist has no plugins");
  }
  Status first;
  for (std::size_t i = conflist["plugins"].size(); i-- > 0;) {
    auto done = Invoke("DEL", conflist, i, invocation, prev_result);
    if (!done.ok() && first.ok()) first = done.status();
  }
  return first;
}

}  // namespace moor::runtime
