#include "moor/common/command.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace moor {

ExecPlan::ExecPlan(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                   bool clear_env)
    : arg_strings_(args) {
  if (!clear_env) {
    for (char** e = environ; *e != nullptr; ++e) {
      std::string entry(*e);
      if (!env.count(entry.substr(0, entry.find('=')))) env_strings_.push_back(entry);
    }
  }
  for (const auto& [k, v] : env) env_strings_.push_back(k + "=" + v);
  path_ = args.empty() ? "" : args.front();
  const char* search = std::getenv("PATH");
  if (path_.find('/') == std::string::npos && search != nullptr) {
    std::string dirs(search);
    for (std::size_t start = 0; start <= dirs.size();) {
      std::size_t end = dirs.find(':', start);
      if (end == std::string::npos) end = dirs.size();
      std::string candidate = dirs.substr(start, end - start) + "/" + path_;
      if (::access(candidate.c_str(), X_OK) == 0) {
        path_ = candidate;
        break;
      }
      start = end + 1;
    }
  }
  for (auto& a : arg_strings_) argv_.push_back(a.data());
  argv_.push_back(nullptr);
  for (auto& e : env_strings_) envp_.push_back(e.data());
  envp_.push_back(nullptr);
}

void ExecPlan::Exec() const {
  ::execve(path_.c_str(), argv_.data(), envp_.data());
  static const char kMsg[] = "exec failed\n";
  ssize_t ignored = ::write(2, kMsg, sizeof(kMsg) - 1);
  (void)ignored;
  ::_exit(127);
}

StatusOr<pid_t> ExecPlan::Spawn(const std::vector<std::pair<int, int>>& fds, const std::string& cwd) const {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawnattr_init(&attr);
  int highest = 2;
  for (const auto& [target, source] : fds) {
    ::posix_spawn_file_actions_adddup2(&actions, source, target);  // also clears FD_CLOEXEC
    highest = std::max(highest, target);
  }
  ::posix_spawn_file_actions_addclosefrom_np(&actions, highest + 1);
  if (!cwd.empty()) ::posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  sigset_t none, all;
  ::sigemptyset(&none);
  ::sigfillset(&all);
  ::posix_spawnattr_setsigmask(&attr, &none);
  ::posix_spawnattr_setsigdefault(&attr, &all);
  ::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, path_.c_str(), &actions, &attr, argv_.data(), envp_.data());
  ::posix_spawn_file_actions_destroy(&actions);
  ::posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return UnavailableError("cannot run " + (arg_strings_.empty() ? path_ : arg_strings_.front()) + ": " +
                            std::strerror(rc));
  }
  return pid;
}

namespace {

// `fd` itself if it is above 2, else a close-on-exec duplicate above 2 (and `fd` closed).
int AboveStdio(int fd) {
  if (fd > 2) return fd;
  int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (moved < 0) return fd;
  ::close(fd);
  return moved;
}

// write() to a pipe whose reader may be gone (a child that exits without reading its input):
// EPIPE instead of a SIGPIPE that would end the whole process. SIGPIPE is blocked in this thread
// for the write, and one raised by it is consumed before the mask is restored.
ssize_t WriteNoSigpipe(int fd, const char* data, std::size_t size) {
  sigset_t pipe_only, old;
  ::sigemptyset(&pipe_only);
  ::sigaddset(&pipe_only, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
  sigset_t pending;
  ::sigpending(&pending);
  const bool was_pending = ::sigismember(&pending, SIGPIPE) == 1;
  ssize_t w = ::write(fd, data, size);
  if (w < 0 && errno == EPIPE && !was_pending) {
    const timespec zero{0, 0};
    while (::sigtimedwait(&pipe_only, nullptr, &zero) < 0 && errno == EINTR) {
    }
    errno = EPIPE;
  }
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return w;
}

class SystemRunner final : public CommandRunner {
 public:
  StatusOr<CommandResult> Run(const CommandSpec& spec) override {
    if (spec.argv.empty()) return InvalidArgumentError("empty command");
    CommandResult result;
    int in_pipe[2], out_pipe[2], err_pipe[2];
    if (::pipe2(in_pipe, O_CLOEXEC) != 0) return UnavailableError(std::string("pipe: ") + std::strerror(errno));
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
      ::close(in_pipe[0]);
      ::close(in_pipe[1]);
      return UnavailableError(std::string("pipe: ") + std::strerror(errno));
    }
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
      for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1]}) ::close(fd);
      return UnavailableError(std::string("pipe: ") + std::strerror(errno));
    }
    ExecPlan plan(spec.argv, spec.env, spec.clear_env);
    if (::access(plan.path().c_str(), X_OK) != 0) {
      for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
      return UnavailableError("cannot run " + spec.argv.front() + ": not found or not executable");
    }
    // No source may be a target: moved above 2 in case this process runs with 0..2 closed.
    for (int* fd : {&in_pipe[0], &out_pipe[1], &err_pipe[1]}) *fd = AboveStdio(*fd);
    auto spawned = plan.Spawn({{0, in_pipe[0]}, {1, out_pipe[1]}, {2, err_pipe[1]}});
    if (!spawned.ok()) {
      for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
      return spawned.status();
    }
    const pid_t pid = *spawned;
    ::close(in_pipe[0]);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    std::size_t written = 0;
    if (spec.input.empty()) {
      ::close(in_pipe[1]);
      in_pipe[1] = -1;
    }
    auto deadline = std::chrono::steady_clock::now() + spec.timeout;
    bool out_open = true, err_open = true;
    while (out_open || err_open) {
      pollfd fds[3];
      int n = 0;
      int out_idx = -1, err_idx = -1, in_idx = -1;
      if (out_open) { out_idx = n; fds[n++] = {out_pipe[0], POLLIN, 0}; }
      if (err_open) { err_idx = n; fds[n++] = {err_pipe[0], POLLIN, 0}; }
      if (in_pipe[1] >= 0) { in_idx = n; fds[n++] = {in_pipe[1], POLLOUT, 0}; }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        ::kill(pid, SIGKILL);
        result.timed_out = true;
        break;
      }
      if (::poll(fds, static_cast<nfds_t>(n), static_cast<int>(left.count())) < 0 && errno != EINTR) break;
      char buf[8192];
      auto drain = [&](int idx, int fd, std::string& into, bool& open) {
        if (idx < 0 || !(fds[idx].revents & (POLLIN | POLLHUP | POLLERR))) return;
        ssize_t r = ::read(fd, buf, sizeof(buf));
        if (r <= 0) open = false;
        else into.append(buf, static_cast<std::size_t>(r));
      };
      drain(out_idx, out_pipe[0], result.out, out_open);
      drain(err_idx, err_pipe[0], result.err, err_open);
      if (in_idx >= 0 && (fds[in_idx].revents & (POLLOUT | POLLERR))) {
        ssize_t w = WriteNoSigpipe(in_pipe[1], spec.input.data() + written, spec.input.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if (w < 0 || written == spec.input.size()) {
          ::close(in_pipe[1]);
          in_pipe[1] = -1;
        }
      }
    }
    if (in_pipe[1] >= 0) ::close(in_pipe[1]);
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_code = (!result.timed_out && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
    return result;
  }
};

std::string FirstLine(const std::string& s) {
  std::size_t start = s.find_first_not_of(" \n\t");
  if (start == std::string::npos) return "";
  std::size_t end = s.find('\n', start);
  return s.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

CommandRunner& SystemCommandRunner() {
  static SystemRunner* runner = new SystemRunner();
  return *runner;
}

Status CommandFailure(const CommandSpec& spec, const CommandResult& result) {
  std::string what;
  for (std::size_t i = 0; i < spec.argv.size() && i < 3; ++i) what += (i ? " " : "") + spec.argv[i];
  if (result.timed_out) {
    return DeadlineExceededError(what + ": timed out after " + std::to_string(spec.timeout.count()) + " ms");
  }
  std::string detail = FirstLine(result.err);
  if (detail.empty()) detail = FirstLine(result.out);
  return UnavailableError(what + ": exit " + std::to_string(result.exit_code) + (detail.empty() ? "" : ": " + detail));
}

StatusOr<CommandResult> RunChecked(CommandRunner& runner, const CommandSpec& spec) {
  MOOR_ASSIGN_OR_RETURN(CommandResult result, runner.Run(spec));
  if (result.exit_code != 0) return CommandFailure(spec, result);
  return result;
}

}  // namespace moor
