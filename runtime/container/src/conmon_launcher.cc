#include "conmon_launcher.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <regex>

#include <nlohmann/json.hpp>

#include "moor/common/command.h"
#include "moor/common/files.h"

namespace moor::runtime {
namespace {

constexpr int kSyncFd = 3;

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

std::string Tail(const std::string& text, std::size_t n) {
  std::size_t end = text.find_last_not_of(" \n\t");
  if (end == std::string::npos) return "";
  std::string trimmed = text.substr(0, end + 1);
  return trimmed.size() <= n ? trimmed : trimmed.substr(trimmed.size() - n);
}

}  // namespace

StatusOr<ConmonSyncMessage> ParseConmonSyncMessage(const std::string& line) {
  ConmonSyncMessage out;
  try {
    auto j = nlohmann::json::parse(line);
    if (!j.contains("data") || !j["data"].is_number_integer()) throw std::runtime_error("no data");
    out.data = j["data"].get<int>();
    if (j.contains("message") && j["message"].is_string()) out.message = j["message"].get<std::string>();
    return out;
  } catch (const std::exception&) {
  }
  std::smatch m;
  static const std::regex kData(R"re("data"\s*:\s*(-?[0-9]+))re");
  if (!std::regex_search(line, m, kData)) return InternalError("conmon sent an unreadable message: " + line);
  out.data = std::stoi(m[1].str());
  static const std::regex kMessage(R"re("message"\s*:\s*"(.*)"\s*\}\s*$)re");
  if (std::regex_search(line, m, kMessage)) out.message = m[1].str();
  return out;
}

StatusOr<int> LaunchConmon(const ConmonLaunch& launch) {
  if (launch.argv.empty()) return InvalidArgumentError("no conmon command");
  int sync[2];
  if (::pipe2(sync, O_CLOEXEC) != 0) return UnavailableError(Errno("pipe"));
  int out_fd = ::open(launch.output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out_fd < 0 || null_fd < 0) {
    Status s = UnavailableError(Errno("open " + launch.output_path));
    for (int fd : {sync[0], sync[1], out_fd, null_fd}) {
      if (fd >= 0) ::close(fd);
    }
    return s;
  }
  // A clean environment: nothing of the daemon's (NOTIFY_SOCKET, LISTEN_FDS...) leaks into the
  // monitor or the container runtime.
  ExecPlan plan(launch.argv,
                {{"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
                 {"_OCI_SYNCPIPE", std::to_string(kSyncFd)}},
                /*clear_env=*/true);
  // kSyncFd goes last: the other sources are above 2 and it is the only target above 2.
  auto spawned = plan.Spawn({{0, null_fd}, {1, out_fd}, {2, out_fd}, {kSyncFd, sync[1]}}, launch.working_dir);
  if (!spawned.ok()) {
    for (int fd : {sync[0], sync[1], out_fd, null_fd}) ::close(fd);
    return spawned.status().WithContext("starting conmon");
  }
  const pid_t pid = *spawned;
  ::close(sync[1]);
  ::close(out_fd);
  ::close(null_fd);

  // The first conmon process exits as soon as it has forked the monitor.
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  auto conmon_output = [&] {
    auto text = ReadFileLimited(launch.output_path, 1 << 20);
    return text.ok() ? Tail(*text, 2000) : std::string();
  };
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    ::close(sync[0]);
    return UnavailableError("conmon failed (status " + std::to_string(wstatus) + "): " + conmon_output());
  }

  std::string line;
  auto deadline = std::chrono::steady_clock::now() + launch.timeout;
  bool eof = false;
  while (line.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::close(sync[0]);
      return DeadlineExceededError("conmon did not report the container within " +
                                   std::to_string(launch.timeout.count()) + " ms");
    }
    pollfd pfd{sync[0], POLLIN, 0};
    int r = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    char buf[4096];
    ssize_t n = ::read(sync[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      eof = true;
      break;
    }
    line.append(buf, static_cast<std::size_t>(n));
  }
  ::close(sync[0]);
  if (eof && line.find('\n') == std::string::npos && line.empty()) {
    std::string output = conmon_output();
    return UnavailableError("conmon exited without creating the container" +
                            (output.empty() ? std::string() : ": " + output));
  }
  MOOR_ASSIGN_OR_RETURN(ConmonSyncMessage msg, ParseConmonSyncMessage(line.substr(0, line.find('\n'))));
  if (msg.data <= 0) {
    std::string message = Tail(msg.message, 2000);
    return UnavailableError("runc create failed: " + (message.empty() ? conmon_output() : message));
  }
  return msg.data;
}

}  // namespace moor::runtime
