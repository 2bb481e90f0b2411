// `moor delete (-f FILE|DIR | KIND NAME... | KIND/NAME...) [-n NS] [--grace-period N] [--force] [--wait=false]`
#include <CLI/CLI.hpp>
#include <algorithm>
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
  int grace_period = -1;  // seconds; -1: the object's own (a Pod's terminationGracePeriodSeconds)
  bool force = false;     // remove at once (grace 0), without waiting for the node
  bool wait = true;       // return only once every deleted object is gone (as kubectl)
};

struct Target {
  const manifests::KindInfo* kind;
  std::string ns;
  std::string name;
};

// Returns once the object the DELETE answered with (`deleted`) is gone: its name no longer
// exists, or belongs to another object (same name, new uid). Follows a watch of that name;
// errors of the server or the connection are returned.
Status WaitUntilGone(api::ApiClient& client, const manifests::KindInfo& kind, const std::string& ns,
                     const manifests::Object& deleted) {
  const std::string name = manifests::NameOf(deleted);
  const std::string uid = manifests::StringAt(deleted, "metadata.uid");
  while (true) {
    auto current = client.Get(kind, ns, name);
    if (!current.ok()) return current.status().code() == StatusCode::kNotFound ? Status::Ok() : current.status();
    if (manifests::StringAt(*current, "metadata.uid") != uid) return Status::Ok();
    bool gone = false;
    Status watched = client.Watch(
        kind, ns, manifests::StringAt(*current, "metadata.resourceVersion"),
        [&](const api::ClientWatchEvent& event) {
          gone = event.type == "DELETED" && manifests::StringAt(event.object, "metadata.uid") == uid;
          return !gone;
        },
        60, "", "metadata.name=" + name);
    if (gone) return Status::Ok();
    if (!watched.ok() && watched.code() != StatusCode::kGone) return watched;
  }
}

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
  api::DeleteOptions options;
  if (flags.force) {
    options.grace_period_seconds = 0;
  } else if (flags.grace_period >= 0) {
    options.grace_period_seconds = std::max(flags.grace_period, 1);  // as kubectl: 0 only with --force
  }
  int failures = 0;
  std::vector<std::pair<Target, manifests::Object>> terminating;
  for (const Target& t : targets) {
    auto deleted = (*client)->Delete(*t.kind, t.ns, t.name, options);
    if (!deleted.ok()) {
      if (deleted.status().code() == StatusCode::kNotFound && flags.ignore_not_found) continue;
      PrintServerError(deleted.status());
      ++failures;
      continue;
    }
    std::cout << ResourceName(*t.kind) << " \"" << t.name << "\" " << (flags.force ? "force deleted" : "deleted")
              << std::endl;
    // A pod still being stopped by its node is gone only later.
    if (manifests::IsBeingDeleted(*deleted)) terminating.emplace_back(t, *deleted);
  }
  if (flags.wait) {
    for (const auto& [t, deleted] : terminating) {
      Status gone = WaitUntilGone(**client, *t.kind, t.ns, deleted);
      if (!gone.ok()) {
        PrintServerError(gone, "waiting for " + ResourceName(*t.kind) + " \"" + t.name + "\" to be gone: ");
        ++failures;
      }
    }
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
  cmd->add_option("--grace-period", flags->grace_period,
                  "Seconds a pod is given to stop (default -1: its terminationGracePeriodSeconds; 0 needs --force)");
  cmd->add_flag("--force", flags->force, "Remove at once, without waiting for the node to stop the pod");
  cmd->add_flag("--wait,!--no-wait", flags->wait, "Return only once the deleted objects are gone (default true)");
  cmd->callback([flags, &global, &exit_code] { exit_code = RunDelete(global, *flags); });
}

}  // namespace moor::cli
