#include "log_pump.h"

#include <algorithm>

#include "moor/common/log.h"

namespace moor::api {

LogPump::LogPump(PodLogSource* source, PodLogRequest request, std::optional<int64_t> limit_bytes,
                 size_t max_queued_bytes)
    : source_(source), limit_bytes_(limit_bytes), max_queued_bytes_(max_queued_bytes) {
  request.keep_following = [this] { return KeepFollowing(); };
  thread_ = std::thread([this, request = std::move(request)] {
    Status status;
    try {
      status = source_->Stream(request, [this](std::string_view data) { return Sink(data); });
    } catch (const std::exception& e) {
      status = InternalError(std::string("log source failed: ") + e.what());
    } catch (...) {
      status = InternalError("log source failed");
    }
    std::lock_guard<std::mutex> lock(mu_);
    result_ = status;
    ended_ = true;
    changed_.notify_all();
  });
}

LogPump::~LogPump() {
  Cancel();
  if (thread_.joinable()) thread_.join();
}

bool LogPump::Sink(std::string_view data) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return cancelled_ || queued_.size() < max_queued_bytes_; });
  if (cancelled_) return false;
  bool more = true;
  if (limit_bytes_) {
    int64_t room = *limit_bytes_ - sent_bytes_;
    if (static_cast<int64_t>(data.size()) >= room) {
      data = data.substr(0, static_cast<size_t>(std::max<int64_t>(room, 0)));
      more = false;
      cancelled_ = true;  // the limit is reached: the source is done
    }
  }
  queued_.append(data);
  sent_bytes_ += static_cast<int64_t>(data.size());
  changed_.notify_all();
  return more;
}

bool LogPump::KeepFollowing() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !cancelled_;
}

void LogPump::WaitForOutputOrEnd(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait_for(lock, timeout, [&] { return ended_ || !queued_.empty(); });
}

LogPump::Batch LogPump::Take(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait_for(lock, timeout, [&] { return ended_ || !queued_.empty(); });
  Batch batch;
  batch.data.swap(queued_);
  batch.ended = ended_;
  changed_.notify_all();  // room for the source again
  return batch;
}

Status LogPump::result() const {
  std::lock_guard<std::mutex> lock(mu_);
  return result_;
}

void LogPump::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  cancelled_ = true;
  changed_.notify_all();
}

}  // namespace moor::api
