// `moor exec POD [-c C] [-n NS] [-i] [-t] -- CMD...`
#include "exec_verb.h"

#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "client_config.h"
#include "logs_verb.h"

namespace moor::cli {
namespace {

constexpr const char* kRuncRootAnnotation = "moor.dev/runc-root";
constexpr const char* kHostAnnotation = "moor.dev/host";
constexpr std::string_view kRuncScheme = "runc://";

struct ExecFlags {
  std::string pod;
  std::vector<std::string> command;
  std::string container;
  std::string ns;
  bool pass_stdin = false;
  bool tty = false;
};

std::string Text(const manifests::Object& obj, const std::string& path) {
  const manifests::Object& v = manifests::FieldAt(obj, path);
  return v.is_string() ? v.get<std::string>() : "";
}

// The containerStatuses (or initContainerStatuses) entry of `name`, or null.
const manifests::Object* StatusOf(const manifests::Object& pod, const std::string& name) {
  for (const char* list : {"status.containerStatuses", "status.initContainerStatuses"}) {
    const manifests::Object& statuses = manifests::FieldAt(pod, list);
    if (!statuses.is_array()) continue;
    for (const auto& s : statuses) {
      if (s.is_object() && s.value("name", "") == name) return &s;
    }
  }
  return nullptr;
}

// Why a container that is not running is not: the waiting or terminated reason.
std::string NotRunningReason(const manifests::Object* status) {
  if (status == nullptr) return "no status reported yet";
  if (std::string r = Text(*status, "state.waiting.reason"); !r.empty()) return r;
  if (manifests::FieldAt(*status, "state.waiting").is_object()) return "Waiting";
  if (std::string r = Text(*status, "state.terminated.reason"); !r.empty()) return r;
  if (manifests::FieldAt(*status, "state.terminated").is_object()) return "Terminated";
  return "no state reported yet";
}

std::string LocalHostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0) return "";
  return buf;
}

int RunExec(const GlobalOptions& global, const ExecFlags& flags) {
  auto pod_name = ParsePodArg(flags.pod);
  if (!pod_name.ok()) return ReportError(pod_name.status());
  if (flags.command.empty()) {
    return ReportError(InvalidArgumentError("you must specify at least one command for the container: "
                                            "moor exec POD -- COMMAND [ARGS...]"));
  }
  auto client = ConnectClient(global);
  if (!client.ok()) return ReportError(client.status());
  std::string ns = flags.ns.empty() ? "default" : flags.ns;
  auto pod = (*client)->Get(*manifests::FindKindByKind("Pod"), ns, *pod_name);
  if (!pod.ok()) {
    PrintServerError(pod.status());
    return 1;
  }
  auto target = ResolveExecTarget(*pod, flags.container);
  if (!target.ok()) return ReportError(target.status());
  auto node = (*client)->Get(*manifests::FindKindByKind("Node"), "", target->node);
  if (!node.ok()) {
    PrintServerError(node.status());
    return 1;
  }
  auto runtime = NodeRuntimeOf(*node);
  if (!runtime.ok()) return ReportError(runtime.status());
  if (Status here = CheckExecFromHere(target->node, *runtime, LocalHostname()); !here.ok()) return ReportError(here);

  // As kubectl: a terminal only with -i and a terminal on stdin.
  bool tty = flags.tty && flags.pass_stdin;
  if (tty && !::isatty(STDIN_FILENO)) {
    std::cerr << "Unable to use a TTY - input is not a terminal or the right kind of file\n";
    tty = false;
  }
  std::vector<std::string> argv = RuncExecArgv(*runtime, target->container_id, tty, flags.command);
  if (!flags.pass_stdin) {
    int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_fd < 0 || ::dup2(null_fd, STDIN_FILENO) < 0) {
      return ReportError(InternalError(std::string("cannot open /dev/null: ") + std::strerror(errno)));
    }
    ::close(null_fd);
  }
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  std::cout.flush();
  std::cerr.flush();
  ::execvp(args[0], args.data());  // returns only on failure
  int err = errno;
  return ReportError(UnavailableError("cannot run " + argv[0] + ": " + std::strerror(err) +
                                      (err == ENOENT ? " (install runc, or put it on PATH)" : "")));
}

}  // namespace

StatusOr<ExecTarget> ResolveExecTarget(const manifests::Object& pod, const std::string& requested_container) {
  std::string pod_name = manifests::NameOf(pod);
  std::string phase = Text(pod, "status.phase");
  if (phase == "Succeeded" || phase == "Failed") {
    return FailedPreconditionError("cannot exec into a container in a completed pod; current phase is " + phase);
  }
  MOOR_ASSIGN_OR_RETURN(ContainerChoice choice, ChooseContainer(pod, requested_container, false));
  ExecTarget target;
  target.container = choice.name;
  target.node = Text(pod, "spec.nodeName");
  const manifests::Object* status = StatusOf(pod, choice.name);
  if (status == nullptr || !manifests::FieldAt(*status, "state.running").is_object()) {
    return FailedPreconditionError("container \"" + choice.name + "\" is not running: " + NotRunningReason(status));
  }
  std::string id = Text(*status, "containerID");
  if (id.empty()) return FailedPreconditionError("container \"" + choice.name + "\" has no containerID yet");
  if (id.compare(0, kRuncScheme.size(), kRuncScheme) != 0) {
    return FailedPreconditionError("container \"" + choice.name + "\" is not a runc container (containerID \"" + id +
                                   "\")");
  }
  target.container_id = id.substr(kRuncScheme.size());
  if (target.node.empty()) return FailedPreconditionError("pod \"" + pod_name + "\" is not on a node yet");
  return target;
}

StatusOr<NodeRuntime> NodeRuntimeOf(const manifests::Object& node) {
  std::string name = manifests::NameOf(node);
  NodeRuntime runtime;
  const manifests::Object& annotations = manifests::FieldAt(node, "metadata.annotations");
  auto read = [&](const char* key, std::string* out) -> Status {
    if (annotations.is_object() && annotations.contains(key) && annotations[key].is_string() &&
        !annotations[key].get<std::string>().empty()) {
      *out = annotations[key].get<std::string>();
      return Status::Ok();
    }
    return FailedPreconditionError("node \"" + name + "\" does not say where its containers run (annotation " + key +
                                   " is missing; is a moor agent running for it?)");
  };
  MOOR_RETURN_IF_ERROR(read(kRuncRootAnnotation, &runtime.runc_root));
  MOOR_RETURN_IF_ERROR(read(kHostAnnotation, &runtime.host));
  return runtime;
}

Status CheckExecFromHere(const std::string& node_name, const NodeRuntime& runtime, const std::string& local_host) {
  if (!local_host.empty() && runtime.host == local_host) return Status::Ok();
  return FailedPreconditionError("exec into pods on node " + node_name +
                                 " is not supported from this host yet (the node runs on host \"" + runtime.host +
                                 "\", this is \"" + local_host + "\")");
}

std::vector<std::string> RuncExecArgv(const NodeRuntime& runtime, const std::string& container_id, bool tty,
                                      const std::vector<std::string>& command) {
  std::vector<std::string> argv = {"runc", "--root", runtime.runc_root, "exec"};
  if (tty) argv.push_back("-t");
  argv.push_back(container_id);
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

void AddExecVerb(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto flags = std::make_shared<ExecFlags>();
  CLI::App* cmd = app.add_subcommand("exec", "Run a command in a running container: moor exec POD [-c C] [-it] -- CMD...");
  cmd->add_option("pod", flags->pod, "POD or pod/POD")->required();
  cmd->add_option("command", flags->command, "The command and its arguments, after --");
  cmd->add_option("-c,--container", flags->container,
                  "Container (default: the pod's kubectl.kubernetes.io/default-container, else its only one)");
  cmd->add_option("-n,--namespace", flags->ns, "Namespace (default \"default\")");
  cmd->add_flag("-i,--stdin", flags->pass_stdin, "Pass standard input to the command");
  cmd->add_flag("-t,--tty", flags->tty, "Give the command a terminal (with -i, when stdin is one)");
  cmd->callback([flags, &global, &exit_code] { exit_code = RunExec(global, *flags); });
}

}  // namespace moor::cli
