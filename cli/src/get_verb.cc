// `moor get KIND[,KIND...] [NAME...] [-n NS | -A] [-l SELECTOR] [-o wide|yaml|json|name]`
#include <CLI/CLI.hpp>
#include <iostream>
#include <optional>

#include "client_config.h"
#include "output.h"
#include "resource_args.h"
#include "verbs.h"

namespace moor::cli {
namespace {

struct GetFlags {
  std::vector<std::string> args;
  std::string ns;
  bool all_namespaces = false;
  std::string selector;
  std::string field_selector;
  std::string output;
};

int RunGet(const GlobalOptions& global, const GetFlags& flags) {
  if (!flags.output.empty() && flags.output != "wide" && flags.output != "yaml" && flags.output != "json" &&
      flags.output != "name") {
    return ReportError(InvalidArgumentError("unknown output format \"" + flags.output +
                                            "\" (use wide, yaml, json or name)"));
  }
  auto requests = ParseResourceArgs(flags.args);
  if (!requests.ok()) return ReportError(requests.status());
  auto client = ConnectClient(global);
  if (!client.ok()) return ReportError(client.status());

  std::optional<std::string> ns;
  if (!flags.all_namespaces) ns = flags.ns.empty() ? "default" : flags.ns;

  bool tables = flags.output.empty() || flags.output == "wide";
  std::vector<TableSection> sections;
  std::vector<nlohmann::json> objects;
  int failures = 0;
  for (const ResourceRequest& req : *requests) {
    std::optional<std::string> kind_ns = req.kind->namespaced ? ns : std::nullopt;
    if (req.names.empty()) {
      if (tables) {
        auto table = (*client)->Table(*req.kind, kind_ns, std::nullopt, flags.selector, flags.field_selector);
        if (!table.ok()) return ReportError(table.status());
        sections.push_back({req.kind, std::move(*table)});
      } else {
        auto list = (*client)->List(*req.kind, kind_ns, flags.selector, flags.field_selector);
        if (!list.ok()) return ReportError(list.status());
        for (auto& item : (*list)["items"]) objects.push_back(std::move(item));
      }
      continue;
    }
    for (const std::string& name : req.names) {
      std::string object_ns = kind_ns.value_or(flags.ns.empty() ? "default" : flags.ns);
      if (tables) {
        auto table = (*client)->Table(*req.kind, object_ns, name, "", "");
        if (!table.ok()) {
          PrintServerError(table.status());
          ++failures;
          continue;
        }
        sections.push_back({req.kind, std::move(*table)});
      } else {
        auto obj = (*client)->Get(*req.kind, object_ns, name);
        if (!obj.ok()) {
          PrintServerError(obj.status());
          ++failures;
          continue;
        }
        objects.push_back(std::move(*obj));
      }
    }
  }

  std::string out;
  if (tables) {
    TableStyle style{flags.output == "wide", flags.all_namespaces, requests->size() > 1};
    int rows = PrintTables(sections, style, out);
    if (rows == 0 && failures == 0) {
      if (flags.all_namespaces) std::cerr << "No resources found\n";
      else std::cerr << "No resources found in " << ns.value_or("default") << " namespace.\n";
    }
  } else if (flags.output == "name") {
    for (const auto& obj : objects) {
      const manifests::KindInfo* kind = manifests::FindKindByKind(obj.value("kind", ""));
      std::string name = obj.value("metadata", nlohmann::json::object()).value("name", "");
      out += (kind ? QualifiedName(*kind, name) : name) + "\n";
    }
  } else {
    bool single_named = requests->size() == 1 && requests->front().names.size() == 1;
    out = FormatObjects(objects, flags.output, single_named);
  }
  std::cout << out;
  return failures > 0 ? 1 : 0;
}

}  // namespace

void AddGetVerb(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto flags = std::make_shared<GetFlags>();
  CLI::App* cmd = app.add_subcommand("get", "List objects: moor get KIND[,KIND...] [NAME...] (kinds: po, deploy, svc, "
                                            "cm, secret, ns, ... or all)");
  cmd->add_option("args", flags->args, "KIND[,KIND...] [NAME...], or KIND/NAME")->required();
  cmd->add_option("-n,--namespace", flags->ns, "Namespace (default \"default\")");
  cmd->add_flag("-A,--all-namespaces", flags->all_namespaces, "List across all namespaces");
  cmd->add_option("-l,--selector", flags->selector, "Label selector, e.g. app=web,tier!=db");
  cmd->add_option("--field-selector", flags->field_selector, "Field selector, e.g. metadata.name=web");
  cmd->add_option("-o,--output", flags->output, "wide, yaml, json or name");
  cmd->callback([flags, &global, &exit_code] { exit_code = RunGet(global, *flags); });
}

}  // namespace moor::cli
