#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "moor/api/node_services.h"
#include "moor/common/status.h"

namespace moor::api {

// Runs PodLogSource::Stream on a thread of its own and queues what it writes for one reader.
// This lets the HTTP answer wait for the first output (so that an early error still gets its
// own status code), lets a slow client hold the source back (the queue is bounded), and makes
// the source stop when the reader cancels: the sink then returns false and
// request.keep_following() turns false. Thread-safe.
class LogPump {
 public:
  // Starts source->Stream(request, ...) right away. `source` is not owned and must outlive the
  // pump. With `limit_bytes`, output is cut after that many bytes and the source is told to
  // stop (kube's limitBytes).
  LogPump(PodLogSource* source, PodLogRequest request, std::optional<int64_t> limit_bytes = std::nullopt,
          size_t max_queued_bytes = 1 << 20);
  // Cancels and waits for the source to return.
  ~LogPump();
  LogPump(const LogPump&) = delete;
  LogPump& operator=(const LogPump&) = delete;

  // Blocks until output is queued, the source has returned, or `timeout` passed.
  void WaitForOutputOrEnd(std::chrono::milliseconds timeout);

  struct Batch {
    std::string data;    // everything queued so far, in order
    bool ended = false;  // the source has returned and `data` is the last of its output
  };
  // Takes what is queued, waiting up to `timeout` for output or the end when nothing is.
  Batch Take(std::chrono::milliseconds timeout);

  // What Stream returned; Ok while it runs.
  Status result() const;

  // From now on the sink returns false and keep_following() is false.
  void Cancel();

 private:
  bool Sink(std::string_view data);
  bool KeepFollowing() const;

  PodLogSource* source_;
  const std::optional<int64_t> limit_bytes_;
  const size_t max_queued_bytes_;

  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::string queued_;      // GUARDED_BY(mu_)
  int64_t sent_bytes_ = 0;  // GUARDED_BY(mu_): accepted from the source so far
  bool cancelled_ = false;  // GUARDED_BY(mu_)
  bool ended_ = false;      // GUARDED_BY(mu_)
  Status result_;           // GUARDED_BY(mu_)
  std::thread thread_;      // started last, joined in the destructor
};

}  // namespace moor::api
