#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace moor::runtime {

// One mutex per key (a blob digest), so that threads of one process fetch or unpack a given
// blob once while different blobs proceed in parallel. Entries are dropped when unused.
class KeyedMutex {
 public:
  class Lock {
   public:
    Lock(KeyedMutex& owner, const std::string& key);
    ~Lock();
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;

   private:
    KeyedMutex& owner_;
    std::string key_;
    std::shared_ptr<std::mutex> mu_;
  };

 private:
  struct Slot {
    std::shared_ptr<std::mutex> mu = std::make_shared<std::mutex>();
    int users = 0;
  };
  std::mutex mu_;
  std::map<std::string, Slot> slots_;  // GUARDED_BY(mu_)
};

inline KeyedMutex::Lock::Lock(KeyedMutex& owner, const std::string& key) : owner_(owner), key_(key) {
  {
    std::lock_guard<std::mutex> guard(owner_.mu_);
    Slot& slot = owner_.slots_[key_];
    ++slot.users;
    mu_ = slot.mu;
  }
  mu_->lock();
}

inline KeyedMutex::Lock::~Lock() {
  mu_->unlock();
  std::lock_guard<std::mutex> guard(owner_.mu_);
  auto it = owner_.slots_.find(key_);
  if (it != owner_.slots_.end() && --it->second.users == 0) owner_.slots_.erase(it);
}

}  // namespace moor::runtime
