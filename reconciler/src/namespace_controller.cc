#include "moor/reconciler/namespace_controller.h"

#include <string>
#include <vector>

#include "controller_loop.h"
#include "moor/common/log.h"
#include "moor/manifests/kinds.h"

namespace moor::reconciler {
namespace {

using manifests::Object;
using manifests::ObjectKey;

ObjectKey NamespaceKey(const std::string& name) { return ObjectKey{"Namespace", "", name}; }

class NamespaceControllerImpl final : public NamespaceController {
 public:
  explicit NamespaceControllerImpl(NamespaceControllerOptions options)
      : options_(options), loop_("namespace", options.store, [this](const ObjectKey& key) { return Reconcile(key); }) {
    loop_.AddWatch("Namespace", {[this](const std::vector<Object>& items) {
                                   for (const Object& ns : items) {
                                     if (manifests::IsBeingDeleted(ns)) loop_.Enqueue(NamespaceKey(manifests::NameOf(ns)));
                                   }
                                 },
                                 [this](const store::WatchEvent& e) {
                                   if (e.type != store::WatchEvent::Type::kDeleted && manifests::IsBeingDeleted(e.object)) {
                                     loop_.Enqueue(NamespaceKey(manifests::NameOf(e.object)));
                                   }
                                 }});
    // A pod that leaves may be the last thing a Terminating namespace waits for. The reconcile
    // of a namespace that is not being deleted is one Get.
    loop_.AddWatch("Pod", {[](const std::vector<Object>&) {},
                           [this](const store::WatchEvent& e) {
                             if (e.type == store::WatchEvent::Type::kDeleted) {
                               loop_.Enqueue(NamespaceKey(manifests::NamespaceOf(e.object)));
                             }
                           }});
  }
  ~NamespaceControllerImpl() override { Stop(); }

  void StartLoop() { loop_.Start(); }
  void Stop() override { loop_.Stop(); }

 private:
  // Deletes what is in namespace `ns`; returns how many objects are still there afterwards
  // (marked Terminating, or changed meanwhile).
  StatusOr<size_t> DeleteContent(const std::string& ns) {
    size_t remaining = 0;
    for (const manifests::KindInfo& kind : manifests::SupportedKinds()) {
      if (!kind.namespaced) continue;
      MOOR_ASSIGN_OR_RETURN(store::ListResult listed, options_.store->List({kind.kind, ns, std::nullopt}));
      for (const store::Record& item : listed.items) {
        if (manifests::IsBeingDeleted(item.object)) {  // on its way out already (a pod its node is stopping)
          ++remaining;
          continue;
        }
        ObjectKey key{kind.kind, ns, manifests::NameOf(item.object)};
        store::DeleteOptions options;  // default options: a bound pod goes gracefully
        options.precondition_uid = manifests::StringAt(item.object, "metadata.uid");
        auto deleted = options_.store->Delete(key, options);
        if (deleted.ok()) {
          if (deleted->action != store::OpResult::Action::kDeleted) ++remaining;
          continue;
        }
        if (deleted.status().code() == StatusCode::kNotFound) continue;  // gone meanwhile
        if (deleted.status().code() == StatusCode::kConflict) {          // replaced meanwhile: next round
          ++remaining;
          continue;
        }
        return deleted.status().WithContext("deleting " + key.ToString());
      }
    }
    return remaining;
  }

  Status Reconcile(const ObjectKey& key) {
    auto ns = options_.store->Get(key);
    if (!ns.ok()) return ns.status().code() == StatusCode::kNotFound ? Status::Ok() : ns.status();
    if (!manifests::IsBeingDeleted(ns->object)) return Status::Ok();

    MOOR_ASSIGN_OR_RETURN(size_t remaining, DeleteContent(key.name));
    if (remaining > 0) {
      LogDebug("namespace is waiting for its content to go",
               {{"namespace", key.name}, {"remaining", std::to_string(remaining)}});
      loop_.EnqueueAfter(key, options_.recheck_interval);
      return Status::Ok();
    }
    store::DeleteOptions options;
    options.precondition_uid = manifests::StringAt(ns->object, "metadata.uid");
    auto deleted = options_.store->Delete(key, options);
    if (!deleted.ok()) {
      // Gone, or replaced by a new namespace of that name: nothing left to finish here.
      StatusCode code = deleted.status().code();
      return code == StatusCode::kNotFound || code == StatusCode::kConflict ? Status::Ok() : deleted.status();
    }
    if (deleted->action != store::OpResult::Action::kDeleted) {  // something appeared meanwhile
      loop_.EnqueueAfter(key, options_.recheck_interval);
      return Status::Ok();
    }
    LogInfo("namespace deleted: its content is gone", {{"namespace", key.name}});
    return Status::Ok();
  }

  NamespaceControllerOptions options_;
  ControllerLoop loop_;  // last: stopped (by Stop) before the members its callbacks use go
};

}  // namespace

StatusOr<std::unique_ptr<NamespaceController>> NamespaceController::Start(NamespaceControllerOptions options) {
  if (options.store == nullptr) return InvalidArgumentError("namespace controller: a store is required");
  auto controller = std::make_unique<NamespaceControllerImpl>(options);
  controller->StartLoop();
  return std::unique_ptr<NamespaceController>(std::move(controller));
}

}  // namespace moor::reconciler
