// `moor describe KIND NAME [-n NS]`
#include <CLI/CLI.hpp>
#include <iostream>

#include "client_config.h"
#include "describer.h"
#include "resource_args.h"
#include "verbs.h"

namespace moor::cli {
namespace {

struct DescribeFlags {
  std::vector<std::string> args;
  std::string ns;
};

int RunDescribe(const GlobalOptions& global, const DescribeFlags& flags) {
  auto requests = ParseResourceArgs(flags.args);
  if (!requests.ok()) return ReportError(requests.status());
  auto client = ConnectClient(global);
  if (!client.ok()) return ReportError(client.status());
  const manifests::KindInfo* event_kind = manifests::FindKindByKind("Event");
  std::string ns = flags.ns.empty() ? "default" : flags.ns;
  int failures = 0;
  bool first = true;
  for (const ResourceRequest& req : *requests) {
    std::vector<std::string> names = req.names;
    if (names.empty()) {
      auto list = (*client)->List(*req.kind, req.kind->namespaced ? std::optional<std::string>(ns) : std::nullopt, "", "");
      if (!list.ok()) return ReportError(list.status());
      for (const auto& item : (*list)["items"]) names.push_back(item["metadata"].value("name", ""));
    }
    for (const std::string& name : names) {
      std::string object_ns = req.kind->namespaced ? ns : "";
      auto obj = (*client)->Get(*req.kind, object_ns, name);
      if (!obj.ok()) {
        PrintServerError(obj.status());
        ++failures;
        continue;
      }
      std::string selector = "involvedObject.kind=" + req.kind->kind + ",involvedObject.name=" + name;
      if (req.kind->namespaced) selector += ",involvedObject.namespace=" + object_ns;
      auto events = (*client)->List(*event_kind, req.kind->namespaced ? std::optional<std::string>(object_ns)
                                                                        : std::optional<std::string>("default"),
                                    "", selector);
      if (!first) std::cout << "\n\n";
      first = false;
      std::cout << Describe(*obj, events.ok() ? *events : nlohmann::json::object(), SystemClock().Now());
    }
  }
  return failures > 0 ? 1 : 0;
}

}  // namespace

void AddDescribeVerb(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto flags = std::make_shared<DescribeFlags>();
  CLI::App* cmd = app.add_subcommand("describe", "Show an object in detail, with its events");
  cmd->add_option("args", flags->args, "KIND [NAME...] or KIND/NAME")->required();
  cmd->add_option("-n,--namespace", flags->ns, "Namespace (default \"default\")");
  cmd->callback([flags, &global, &exit_code] { exit_code = RunDescribe(global, *flags); });
}

}  // namespace moor::cli
