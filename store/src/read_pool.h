#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "moor/common/status.h"
#include "sqlite_connection.h"

namespace moor::store {

// Read-only connections to the store's database, each used by one thread at a time. WAL
// lets them read a consistent snapshot beside the writer. Thread-safe.
class ReadPool {
 public:
  // Returns its connection to the pool when it goes away. The pool must outlive it.
  class Lease {
   public:
    Lease(ReadPool* pool, std::unique_ptr<SqliteConnection> conn) : pool_(pool), conn_(std::move(conn)) {}
    ~Lease();
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    SqliteConnection& operator*() { return *conn_; }
    SqliteConnection* operator->() { return conn_.get(); }

   private:
    ReadPool* pool_;
    std::unique_ptr<SqliteConnection> conn_;
  };

  ReadPool(std::filesystem::path path, SqliteConnection::Options options, size_t max_idle)
      : path_(std::move(path)), options_(options), max_idle_(max_idle) {}

  // An idle connection, or a new one if none is idle.
  StatusOr<Lease> Acquire();

 private:
  void Release(std::unique_ptr<SqliteConnection> conn);

  const std::filesystem::path path_;
  const SqliteConnection::Options options_;
  const size_t max_idle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_;  // GUARDED_BY(mu_)
};

// Runs a read transaction on a pooled connection: BEGIN on construction, COMMIT (which only
// ends the snapshot) on destruction, so every query in between sees the same state.
class ReadSnapshot {
 public:
  static StatusOr<std::unique_ptr<ReadSnapshot>> Begin(ReadPool& pool);
  ~ReadSnapshot();
  SqliteConnection& conn() { return *lease_; }

 private:
  explicit ReadSnapshot(ReadPool::Lease lease) : lease_(std::move(lease)) {}
  ReadPool::Lease lease_;
};

}  // namespace moor::store
