// `moor delete (-f FILE|DIR | KIND NAME... | KIND/NAME...) [-n NS]`
#include <CLI/CLI.hpp>
#include <iostream>

#include "client_config.h"
#include "manifest_files.h"
#include "output.h"
#include "resource_args.h"
#include "verbs.h"

namespace moor::cli {
namespace {

struct DeleteFlags {
  std::vector<std::string> args;
  std::vector<std::string> files;
  bool recursive = false;
  std::string ns;
  bool ignore_not_found = false;
};

struct Target {
  const manifests::KindInfo* kind;
  std::string ns;
  std::string name;
};

int RunDelete(const GlobalOptions& global, const DeleteFlags& flags) {
  std::vector<Target> targets;
  std::string default_ns = flags.ns.empty() ? "default" : flags.ns;
  if (!flags.files.empty()) {
    if (!flags.args.empty()) return ReportError(InvalidArgumentError("give either -f or KIND NAME, not both"));
    auto paths = ExpandManifestPaths(flags.files, flags.recursive);
    if (!paths.ok()) return ReportError(paths.status());
    for (const std::string& path : *paths) {
      auto docs = LoadForClient(path, flags.ns);
      if (!docs.ok()) return ReportError(docs.status());
      for (const auto& doc : *docs) {
        const manifests::KindInfo* kind = manifests::FindKind(manifests::ApiVersionOf(doc.object), manifests::KindOf(doc.object));
        std::string ns = manifests::NamespaceOf(doc.object);
        targets.push_back({kind, kind->namespaced ? (ns.empty() ? default_ns : ns) : "", manifests::NameOf(doc.object)});
      }
    }
  } else {
    auto requests = ParseResourceArgs(flags.args);
    if (!requests.ok()) return ReportError(requests.status());
    for (const ResourceRequest& req : *requests) {
      if (req.names.empty()) {
        return ReportError(InvalidArgumentError("resource(s) were provided, but no name was specified"));
      }
      for (const std::string& name : req.names) targets.push_back({req.kind, req.kind->namespaced ? default_ns : "", name});
    }
  }
  if (targets.empty()) return ReportError(InvalidArgumentError("no objects to delete"));

  auto client = ConnectClient(global);
  if (!client.ok()) return ReportError(client.status());
  int failures = 0;
  for (const Target& t : targets) {
    auto deleted = (*client)->Delete(*t.kind, t.ns, t.name);
    if (!deleted.ok()) {
      if (deleted.status().code() == StatusCode::kNotFound && flags.ignore_not_found) continue;
      PrintServerError(deleted.status());
      ++failures;
      continue;
    }
    std::cout << ResourceName(*t.kind) << " \"" << t.name << "\" deleted\n";
  }
  return failures > 0 ? 1 : 0;
}

}  // namespace

void AddDeleteVerb(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto flags = std::make_shared<DeleteFlags>();
  CLI::App* cmd = app.add_subcommand("delete", "Delete objects by file or by KIND NAME (objects that a watched file "
                                               "declares come back at the next resync: delete the file instead)");
  cmd->add_option("args", flags->args, "KIND NAME... or KIND/NAME...");
  cmd->add_option("-f,--filename", flags->files, "File or directory whose objects to delete");
  cmd->add_flag("-R,--recursive", flags->recursive, "Read directories recursively");
  cmd->add_option("-n,--namespace", flags->ns, "Namespace (default \"default\")");
  cmd->add_flag("--ignore-not-found", flags->ignore_not_found, "Treat \"not found\" as success");
  cmd->callback([flags, &global, &exit_code] { exit_code = RunDelete(global, *flags); });
}

}  // namespace moor::cli
