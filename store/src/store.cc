#include "moor/store/store.h"

namespace moor::store {

WriteOp DeleteOp(const ObjectKey& key, const DeleteOptions& options) {
  WriteOp op;
  op.type = WriteOp::Type::kDelete;
  op.key = key;
  op.precondition_rv = options.precondition_rv;
  op.precondition_uid = options.precondition_uid;
  op.grace_period_seconds = options.grace_period_seconds;
  return op;
}

StatusOr<OpResult> Store::Delete(const ObjectKey& key, const DeleteOptions& options) {
  return Execute(DeleteOp(key, options));
}

}  // namespace moor::store
