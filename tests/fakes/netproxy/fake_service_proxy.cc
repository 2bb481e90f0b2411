#include "moor/testing/fake_service_proxy.h"

namespace moor::testing {

Status FakeServiceProxy::Apply(const netproxy::ServiceTable& table) {
  std::lock_guard<std::mutex> lock(mu_);
  ++attempts_;
  if (fail_next_ > 0) {
    --fail_next_;
    changed_.notify_all();
    return UnavailableError("injected: nft failed");
  }
  applied_.push_back(table);
  changed_.notify_all();
  return Status::Ok();
}

Status FakeServiceProxy::Remove() {
  std::lock_guard<std::mutex> lock(mu_);
  ++removes_;
  changed_.notify_all();
  return Status::Ok();
}

void FakeServiceProxy::FailNextApplies(int n) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_next_ = n;
}

std::vector<netproxy::ServiceTable> FakeServiceProxy::applied() const {
  std::lock_guard<std::mutex> lock(mu_);
  return applied_;
}

int FakeServiceProxy::attempts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return attempts_;
}

int FakeServiceProxy::removes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return removes_;
}

std::optional<netproxy::ServiceTable> FakeServiceProxy::last() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (applied_.empty()) return std::nullopt;
  return applied_.back();
}

bool FakeServiceProxy::WaitUntil(const std::function<bool(const std::vector<netproxy::ServiceTable>&)>& condition,
                                 std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, timeout, [&] { return condition(applied_); });
}

}  // namespace moor::testing
