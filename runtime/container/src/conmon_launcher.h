#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "moor/common/status.h"

namespace moor::runtime {

struct ConmonLaunch {
  std::vector<std::string> argv;  // conmon and its flags; argv[0] absolute
  std::string working_dir;        // conmon's cwd (it may drop an "oom" file there)
  std::string output_path;        // conmon's own stdout/stderr until it detaches (appended)
  std::chrono::milliseconds timeout{60000};
};

// Starts conmon with a sync pipe (_OCI_SYNCPIPE, API version 1) and waits until it reports the
// container's pid, i.e. `runc create` inside conmon has finished. conmon double-forks: the
// monitor it leaves behind is not our child and outlives this process. Only conmon and the
// sync pipe cross the fork; every other descriptor stays behind.
// Errors: kUnavailable with runc's message when create failed (or conmon's output if it died
// first), kDeadlineExceeded if nothing was reported within `timeout`.
StatusOr<int> LaunchConmon(const ConmonLaunch& launch);

// Parses one sync-pipe message, {"data": N} or {"data": -1, "message": "..."}; conmon's own
// JSON escaping is not always valid JSON, so a message that fails to parse is taken verbatim.
struct ConmonSyncMessage {
  int data = 0;
  std::string message;
};
StatusOr<ConmonSyncMessage> ParseConmonSyncMessage(const std::string& line);

}  // namespace moor::runtime
