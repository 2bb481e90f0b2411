#pragma once

#include <atomic>

#include "moor/store/store.h"

namespace moor::testing {

// Wraps a real Store and, while FailWrites(true) is in force, fails every Commit with
// kUnavailable (the single-op writes go through Commit too in SqliteStore; here they are
// failed the same way). Reads and watches pass through untouched.
class FaultInjectingStore final : public store::Store {
 public:
  explicit FaultInjectingStore(store::Store& inner) : inner_(inner) {}

  void FailWrites(bool fail) { fail_.store(fail); }
  int failed_writes() const { return failed_.load(); }

  StatusOr<store::Record> Get(const store::ObjectKey& key) override { return inner_.Get(key); }
  StatusOr<store::ListResult> List(const store::ListOptions& o) override { return inner_.List(o); }
  StatusOr<store::Object> Create(const store::Object& obj, const store::SourceRef& source) override {
    if (Failing()) return Injected();
    return inner_.Create(obj, source);
  }
  StatusOr<store::Object> Update(const store::Object& obj) override {
    if (Failing()) return Injected();
    return inner_.Update(obj);
  }
  StatusOr<store::Object> UpdateStatus(const store::Object& obj) override {
    if (Failing()) return Injected();
    return inner_.UpdateStatus(obj);
  }
  StatusOr<store::Object> Delete(const store::ObjectKey& key, std::optional<int64_t> rv) override {
    if (Failing()) return Injected();
    return inner_.Delete(key, rv);
  }
  using store::Store::Delete;
  StatusOr<store::OpResult> Execute(const store::WriteOp& op, bool dry_run) override {
    if (Failing()) return Injected();
    return inner_.Execute(op, dry_run);
  }
  StatusOr<std::vector<store::OpResult>> Commit(const store::Transaction& txn) override {
    if (Failing()) return Injected();
    return inner_.Commit(txn);
  }
  StatusOr<std::unique_ptr<store::Watcher>> Watch(const store::WatchOptions& o) override { return inner_.Watch(o); }
  int64_t CurrentResourceVersion() override { return inner_.CurrentResourceVersion(); }
  Status RecordEvent(const store::EventInput& e) override {
    if (Failing()) return Injected();
    return inner_.RecordEvent(e);
  }
  StatusOr<std::vector<store::SyncRecord>> ListSyncRecords(const store::SyncQuery& q) override {
    return inner_.ListSyncRecords(q);
  }

 private:
  bool Failing() {
    if (!fail_.load()) return false;
    failed_.fetch_add(1);
    return true;
  }
  static Status Injected() { return UnavailableError("injected: database is locked"); }

  store::Store& inner_;
  std::atomic<bool> fail_{false};
  std::atomic<int> failed_{0};
};

}  // namespace moor::testing
