#pragma once

#include <condition_variable>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "moor/netproxy/service_proxy.h"

namespace moor::testing {

// Records every table it is asked to apply (also the failed attempts). Thread-safe.
class FakeServiceProxy final : public netproxy::ServiceProxy {
 public:
  Status Apply(const netproxy::ServiceTable& table) override;
  Status Remove() override;

  // The next `n` Apply calls fail with kUnavailable (they are still recorded as attempts).
  void FailNextApplies(int n);

  // Tables passed to Apply calls that succeeded, oldest first.
  std::vector<netproxy::ServiceTable> applied() const;
  int attempts() const;
  int removes() const;
  // The table of the last successful Apply, if any.
  std::optional<netproxy::ServiceTable> last() const;
  // Waits until `condition(applied())` holds or `timeout` passes; returns its last value.
  bool WaitUntil(const std::function<bool(const std::vector<netproxy::ServiceTable>&)>& condition,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::vector<netproxy::ServiceTable> applied_;  // GUARDED_BY(mu_)
  int attempts_ = 0;                             // GUARDED_BY(mu_)
  int fail_next_ = 0;                            // GUARDED_BY(mu_)
  int removes_ = 0;                              // GUARDED_BY(mu_)
};

}  // namespace moor::testing
