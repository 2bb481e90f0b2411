#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "moor/common/status.h"
#include "moor/testing/process.h"

namespace moor::bench {

// Follows `GET /api/v1/pods?watch=true` of a moor server through one long-lived curl process
// (the same request `kubectl get pods -w` makes), so that the moment the API first reports a pod
// Running is known within a few milliseconds, at no per-check cost to the daemon or the machine
// (polling `moor get pods` started a CLI process and a full list each time).
class PodWatch {
 public:
  // Reads the server URL, token and CA from `kubeconfig`; keeps curl's files in `work_dir`.
  static StatusOr<std::unique_ptr<PodWatch>> Start(const std::filesystem::path& kubeconfig,
                                                   const std::filesystem::path& work_dir);

  // Hands every complete event that arrived since the last call to `on_event` (its "type" and
  // "object"). Returns false if curl has exited (the watch is over); `error()` then says why.
  bool Drain(const std::function<void(const std::string& type, const nlohmann::json& object)>& on_event);

  pid_t pid() const { return curl_->pid(); }
  // What curl printed that was not an event (its error, if any).
  const std::string& error() const { return other_; }

  ~PodWatch();

 private:
  PodWatch() = default;

  std::unique_ptr<testing::ChildProcess> curl_;
  std::filesystem::path out_path_;
  int fd_ = -1;
  std::string partial_;  // an event line not yet complete
  std::string other_;
};

}  // namespace moor::bench
