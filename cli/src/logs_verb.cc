// `moor logs POD [-c C] [-f] [-p|--previous] [--tail N] [--since D] [--timestamps] [-n NS]`
#include "logs_verb.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "client_config.h"
#include "server_config.h"

namespace moor::cli {
namespace {

constexpr const char* kDefaultContainerAnnotation = "kubectl.kubernetes.io/default-container";

struct LogsFlags {
  std::string pod;
  std::string container;
  std::string ns;
  bool follow = false;
  bool previous = false;
  bool timestamps = false;
  int tail = -1;
  std::string since;  // "" = all; else a duration ("30s", "5m", "2h")
};

std::vector<std::string> Names(const manifests::Object& pod, const char* list) {
  std::vector<std::string> names;
  const manifests::Object& items = manifests::FieldAt(pod, std::string("spec.") + list);
  if (!items.is_array()) return names;
  for (const auto& c : items) {
    if (c.is_object() && c.contains("name") && c["name"].is_string()) names.push_back(c["name"].get<std::string>());
  }
  return names;
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Writes and flushes; false once stdout is gone.
bool WriteOut(std::string_view data) {
  std::cout.write(data.data(), static_cast<std::streamsize>(data.size()));
  std::cout.flush();
  return std::cout.good();
}

int RunLogs(const GlobalOptions& global, const LogsFlags& flags) {
  auto pod_name = ParsePodArg(flags.pod);
  if (!pod_name.ok()) return ReportError(pod_name.status());
  if (flags.tail < -1) return ReportError(InvalidArgumentError("--tail must be greater than or equal to -1"));
  std::optional<WallTime> since;
  if (!flags.since.empty()) {
    auto d = ParseDuration(flags.since);
    if (!d.ok() || d->count() < 1) {
      return ReportError(InvalidArgumentError("--since \"" + flags.since + "\": expected a duration such as 30s, 5m or 2h"));
    }
    since = SystemClock().Now() - *d;
  }
  auto client = ConnectClient(global);
  if (!client.ok()) return ReportError(client.status());

  api::PodLogRequest request;
  request.ns = flags.ns.empty() ? "default" : flags.ns;
  request.pod = *pod_name;
  request.container = flags.container;
  request.follow = flags.follow;
  request.previous = flags.previous;
  request.timestamps = flags.timestamps;
  if (flags.tail >= 0) request.tail_lines = flags.tail;
  request.since = since;
  if (request.container.empty()) {
    const manifests::KindInfo* pod_kind = manifests::FindKindByKind("Pod");
    auto pod = (*client)->Get(*pod_kind, request.ns, request.pod);
    if (!pod.ok()) {
      PrintServerError(pod.status());
      return 1;
    }
    auto choice = ChooseContainer(*pod, "", /*first_if_several=*/true);
    if (!choice.ok()) return ReportError(choice.status());
    if (!choice->notice.empty()) std::cerr << choice->notice << "\n";
    request.container = choice->name;
  }
  Status streamed = (*client)->StreamLogs(request, WriteOut);
  if (!streamed.ok()) {
    if (streamed.code() == StatusCode::kUnavailable) return ReportError(streamed);
    PrintServerError(streamed);
    return 1;
  }
  return 0;
}

}  // namespace

StatusOr<std::string> ParsePodArg(const std::string& arg) {
  std::string name = arg;
  if (auto slash = arg.find('/'); slash != std::string::npos) {
    std::string kind = arg.substr(0, slash);
    if (kind != "pod" && kind != "pods" && kind != "po") {
      return InvalidArgumentError("\"" + arg + "\" is not a pod: give POD or pod/POD");
    }
    name = arg.substr(slash + 1);
  }
  if (name.empty()) return InvalidArgumentError("a pod name is required");
  return name;
}

StatusOr<ContainerChoice> ChooseContainer(const manifests::Object& pod, const std::string& requested,
                                          bool first_if_several) {
  std::string pod_name = manifests::NameOf(pod);
  std::vector<std::string> containers = Names(pod, "containers");
  std::vector<std::string> init = Names(pod, "initContainers");
  auto has = [&](const std::string& name) {
    for (const auto* list : {&containers, &init}) {
      for (const auto& c : *list) {
        if (c == name) return true;
      }
    }
    return false;
  };
  if (!requested.empty()) {
    if (has(requested)) return ContainerChoice{requested, ""};
    std::vector<std::string> all = containers;
    for (const auto& i : init) all.push_back(i + " (init)");
    return InvalidArgumentError("container \"" + requested + "\" not found in pod \"" + pod_name +
                                "\"; its containers: " + Join(all));
  }
  const manifests::Object& annotated = manifests::FieldAt(pod, "metadata.annotations");
  if (annotated.is_object() && annotated.contains(kDefaultContainerAnnotation) &&
      annotated[kDefaultContainerAnnotation].is_string()) {
    std::string name = annotated[kDefaultContainerAnnotation].get<std::string>();
    if (has(name)) return ContainerChoice{name, ""};
  }
  if (containers.empty()) return InvalidArgumentError("pod \"" + pod_name + "\" has no containers");
  if (containers.size() == 1 && (init.empty() || !first_if_several)) return ContainerChoice{containers.front(), ""};
  if (containers.size() == 1 || first_if_several) {
    std::vector<std::string> all = containers;
    for (const auto& i : init) all.push_back(i + " (init)");
    return ContainerChoice{containers.front(),
                           "Defaulted container \"" + containers.front() + "\" out of: " + Join(all)};
  }
  return InvalidArgumentError("pod \"" + pod_name + "\" has several containers; choose one with -c: " +
                              Join(containers));
}

void AddLogsVerb(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto flags = std::make_shared<LogsFlags>();
  CLI::App* cmd = app.add_subcommand("logs", "Print the log of a container in a pod: moor logs POD [-c CONTAINER] [-f]");
  cmd->add_option("pod", flags->pod, "POD or pod/POD")->required();
  cmd->add_option("-c,--container", flags->container,
                  "Container (default: the pod's kubectl.kubernetes.io/default-container, else its first)");
  cmd->add_option("-n,--namespace", flags->ns, "Namespace (default \"default\")");
  cmd->add_flag("-f,--follow", flags->follow, "Keep printing new output until the container is gone (Ctrl-C stops)");
  cmd->add_flag("-p,--previous", flags->previous, "The log of the previous, terminated instance of the container");
  cmd->add_flag("--timestamps", flags->timestamps, "Prefix each line with its RFC 3339 timestamp");
  cmd->add_option("--tail", flags->tail, "Only the last N lines (-1: all)");
  cmd->add_option("--since", flags->since, "Only lines newer than this duration (30s, 5m, 2h)");
  cmd->callback([flags, &global, &exit_code] { exit_code = RunLogs(global, *flags); });
}

}  // namespace moor::cli
