// `moor apply -f FILE|DIR|- [-R] [-n NS]`: create what is missing, replace what differs.
#include <CLI/CLI.hpp>
#include <iostream>

#include "client_config.h"
#include "manifest_files.h"
#include "moor/manifests/kinds.h"
#include "output.h"
#include "verbs.h"

namespace moor::cli {
namespace {

struct ApplyFlags {
  std::vector<std::string> files;
  bool recursive = false;
  std::string ns;
};

// Applies one object: "created", "configured" or "unchanged", or an error.
StatusOr<std::string> ApplyOne(api::ApiClient& client, const manifests::KindInfo& kind, nlohmann::json obj) {
  std::string ns = kind.namespaced ? manifests::NamespaceOf(obj) : "";
  if (kind.namespaced && ns.empty()) {
    ns = "default";
    obj["metadata"]["namespace"] = ns;
  }
  auto existing = client.Get(kind, ns, manifests::NameOf(obj));
  if (!existing.ok()) {
    if (existing.status().code() != StatusCode::kNotFound) return existing.status();
    MOOR_RETURN_IF_ERROR(client.Create(obj).status());
    return std::string("created");
  }
  std::string old_rv = (*existing)["metadata"].value("resourceVersion", "");
  obj["metadata"]["resourceVersion"] = old_rv;
  MOOR_ASSIGN_OR_RETURN(nlohmann::json updated, client.Update(obj));
  return std::string(updated["metadata"].value("resourceVersion", "") == old_rv ? "unchanged" : "configured");
}

int RunApply(const GlobalOptions& global, const ApplyFlags& flags) {
  auto paths = ExpandManifestPaths(flags.files, flags.recursive);
  if (!paths.ok()) return ReportError(paths.status());
  auto client = ConnectClient(global);
  if (!client.ok()) return ReportError(client.status());
  int failures = 0;
  for (const std::string& path : *paths) {
    auto docs = LoadForClient(path, flags.ns);
    if (!docs.ok()) {
      std::cerr << "error: " << docs.status().message() << "\n";
      ++failures;
      continue;
    }
    for (const manifests::Document& doc : *docs) {
      const manifests::KindInfo* kind = manifests::FindKind(manifests::ApiVersionOf(doc.object), manifests::KindOf(doc.object));
      std::string name = QualifiedName(*kind, manifests::NameOf(doc.object));
      auto result = ApplyOne(**client, *kind, doc.object);
      if (!result.ok()) {
        PrintServerError(result.status(), "error when applying " + name + " from " + path + ": ");
        ++failures;
        continue;
      }
      std::cout << name << " " << *result << "\n";
    }
  }
  return failures > 0 ? 1 : 0;
}

}  // namespace

void AddApplyVerb(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto flags = std::make_shared<ApplyFlags>();
  CLI::App* cmd = app.add_subcommand("apply", "Create or update objects from files (API-created objects are never "
                                              "pruned by the watched folder)");
  cmd->add_option("-f,--filename", flags->files, "File, directory or - for standard input")->required();
  cmd->add_flag("-R,--recursive", flags->recursive, "Read directories recursively");
  cmd->add_option("-n,--namespace", flags->ns, "Namespace for objects that name none");
  cmd->callback([flags, &global, &exit_code] { exit_code = RunApply(global, *flags); });
}

}  // namespace moor::cli
