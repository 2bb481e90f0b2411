#include "resource_args.h"

namespace moor::cli {
namespace {

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    std::size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

StatusOr<const manifests::KindInfo*> Lookup(const std::string& name) {
  const manifests::KindInfo* kind = manifests::FindKindByName(name);
  if (kind == nullptr) {
    return NotFoundError("the server doesn't have a resource type \"" + name + "\"");
  }
  return kind;
}

}  // namespace

StatusOr<std::vector<ResourceRequest>> ParseResourceArgs(const std::vector<std::string>& args) {
  std::vector<ResourceRequest> out;
  if (args.empty()) return InvalidArgumentError("you must specify the type of resource to get");
  if (args.front().find('/') != std::string::npos) {
    for (const std::string& arg : args) {
      auto slash = arg.find('/');
      if (slash == std::string::npos) {
        return InvalidArgumentError("there is no need to specify a resource type as a separate argument when "
                                    "passing arguments in resource/name form");
      }
      MOOR_ASSIGN_OR_RETURN(const manifests::KindInfo* kind, Lookup(arg.substr(0, slash)));
      out.push_back({kind, {arg.substr(slash + 1)}});
    }
    return out;
  }
  for (const std::string& name : Split(args.front(), ',')) {
    if (name == "all") {
      for (const char* k : {"pods", "services", "daemonsets", "deployments", "replicasets", "statefulsets",
                            "horizontalpodautoscalers", "cronjobs", "jobs"}) {
        out.push_back({manifests::FindKindByName(k), {}});
      }
      continue;
    }
    MOOR_ASSIGN_OR_RETURN(const manifests::KindInfo* kind, Lookup(name));
    out.push_back({kind, {}});
  }
  std::vector<std::string> names(args.begin() + 1, args.end());
  if (!names.empty()) {
    if (out.size() > 1) return InvalidArgumentError("names can only be given with a single resource type");
    out.front().names = names;
  }
  return out;
}

}  // namespace moor::cli
