#include "read_pool.h"

namespace moor::store {

ReadPool::Lease::~Lease() {
  if (conn_ && pool_ != nullptr) pool_->Release(std::move(conn_));
}

StatusOr<ReadPool::Lease> ReadPool::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<SqliteConnection> conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn));
    }
  }
  MOOR_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> conn, SqliteConnection::Open(path_, options_));
  return Lease(this, std::move(conn));
}

void ReadPool::Release(std::unique_ptr<SqliteConnection> conn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(conn));
}

StatusOr<std::unique_ptr<ReadSnapshot>> ReadSnapshot::Begin(ReadPool& pool) {
  MOOR_ASSIGN_OR_RETURN(ReadPool::Lease lease, pool.Acquire());
  MOOR_RETURN_IF_ERROR(lease->Run("BEGIN"));
  return std::unique_ptr<ReadSnapshot>(new ReadSnapshot(std::move(lease)));
}

ReadSnapshot::~ReadSnapshot() {
  if (!lease_->Run("COMMIT").ok() && lease_->InTransaction()) (void)lease_->Run("ROLLBACK");
}

}  // namespace moor::store
