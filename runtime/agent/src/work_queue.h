#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace moor::runtime {

// A queue of keys with client-go's workqueue rules: a key waiting in the queue is held once
// however often it is added; a key is never handed to two workers at once (an Add while it is
// being processed queues it again for after Done); AddAfter delays a key (the earliest wins).
class WorkQueue {
 public:
  void Add(const std::string& key);
  void AddAfter(const std::string& key, std::chrono::milliseconds delay);
  // Blocks until a key is ready or ShutDown(); nullopt after ShutDown.
  std::optional<std::string> Get();
  void Done(const std::string& key);
  void ShutDown();
  std::size_t Pending();

 private:
  void AddLocked(const std::string& key);
  void PromoteDueLocked();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::set<std::string> queued_;
  std::set<std::string> processing_;
  std::set<std::string> dirty_;  // added while processing
  std::map<std::string, std::chrono::steady_clock::time_point> delayed_;
  bool shutdown_ = false;
};

}  // namespace moor::runtime
