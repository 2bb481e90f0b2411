#include "moor/reconciler/sync_planner.h"

#include <algorithm>
#include <numeric>
#include <optional>

#include "moor/common/files.h"
#include "moor/manifests/kinds.h"

namespace moor::reconciler {
namespace {

constexpr const char* kServerOwnedMetadata[] = {"uid",           "resourceVersion", "generation",
                                                "creationTimestamp", "managedFields", "selfLink"};

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

// Everything the planner tracks about one batch file while resolving claims.
struct Work {
  const FileInput* file = nullptr;
  bool failing = false;
  bool conflict = false;
  std::vector<std::string> problems;                 // reasons the file fails (besides diagnostics)
  std::vector<store::ObjectOutcome> failed_objects;  // one per object in conflict
  std::set<ObjectKey> owned;                         // keys the store records as this file's
  std::set<ObjectKey> declared;
};

class Planner {
 public:
  explicit Planner(BatchInput input) : input_(std::move(input)) {
    work_.resize(input_.files.size());
    for (size_t i = 0; i < input_.files.size(); ++i) {
      work_[i].file = &input_.files[i];
      index_[input_.files[i].path] = i;
    }
    for (const auto& [key, stored] : input_.stored) {
      if (stored.source.source != input_.source_name) continue;
      auto it = index_.find(stored.source.path);
      if (it != index_.end()) work_[it->second].owned.insert(key);
    }
    order_.resize(work_.size());
    std::iota(order_.begin(), order_.end(), 0);
    std::sort(order_.begin(), order_.end(),
              [&](size_t a, size_t b) { return input_.files[a].path < input_.files[b].path; });
  }

  std::vector<FilePlan> Run() {
    CheckFilesThemselves();
    ResolveClaims();
    std::vector<FilePlan> plans;
    plans.reserve(work_.size());
    for (size_t i = 0; i < work_.size(); ++i) plans.push_back(BuildPlan(work_[i], input_.files[i]));
    return plans;
  }

 private:
  void Fail(Work& w, const std::string& problem, bool conflict) {
    w.failing = true;
    w.conflict = w.conflict || conflict;
    w.problems.push_back(problem);
  }

  void FailObject(Work& w, const ObjectKey& key, const std::string& problem) {
    Fail(w, problem, true);
    w.failed_objects.push_back({key, "failed", problem});
  }

  // Broken files and files declaring one object twice fail before any claim is looked at.
  void CheckFilesThemselves() {
    for (Work& w : work_) {
      if (w.file->state == FileInput::State::kBroken) {
        w.failing = true;
        continue;
      }
      if (w.file->state != FileInput::State::kValid) continue;
      std::map<ObjectKey, int> first_document;
      for (const DeclaredObject& d : w.file->declared) {
        auto [it, inserted] = first_document.emplace(d.key, d.document);
        if (!inserted) {
          Fail(w,
               w.file->path + ": " + d.key.ToString() + " is declared twice (documents " +
                   std::to_string(it->second) + " and " + std::to_string(d.document) + ")",
               false);
        }
        w.declared.insert(d.key);
      }
    }
  }

  // Whether batch file `w` keeps `key` for itself: a failing file keeps what it owns, a
  // valid one what it declares, a removed one nothing.
  static bool Holds(const Work& w, const ObjectKey& key) {
    if (w.file->state == FileInput::State::kRemoved) return false;
    if (w.failing) return w.owned.count(key) > 0;
    return w.declared.count(key) > 0;
  }

  // The file (other than `self`) that keeps `key` against `self`, if any.
  std::optional<std::string> HolderOtherThan(const ObjectKey& key, const std::string& self) const {
    auto stored = input_.stored.find(key);
    bool ours = stored != input_.stored.end() && stored->second.source.source == input_.source_name;
    if (ours && stored->second.source.path == self) return std::nullopt;  // the owner keeps it
    if (ours) {
      const std::string& owner = stored->second.source.path;
      auto in_batch = index_.find(owner);
      if (in_batch != index_.end()) {
        if (Holds(work_[in_batch->second], key)) return owner;
      } else if (auto held = input_.held_elsewhere.find(key);
                 held != input_.held_elsewhere.end() && held->second == owner) {
        return owner;
      }
    }
    auto held = input_.held_elsewhere.find(key);
    if (held != input_.held_elsewhere.end() && held->second != self) return held->second;
    return std::nullopt;
  }

  // Marks files failing whose objects are held by someone else; true if any new failure.
  bool CheckHeldObjects() {
    bool changed = false;
    for (size_t i : order_) {
      Work& w = work_[i];
      if (w.failing || w.file->state != FileInput::State::kValid) continue;
      for (const DeclaredObject& d : w.file->declared) {
        auto stored = input_.stored.find(d.key);
        if (stored != input_.stored.end() && !stored->second.source.empty() &&
            stored->second.source.source != input_.source_name) {
          FailObject(w, d.key,
                     d.key.ToString() + " is managed by source " + Quote(stored->second.source.source) +
                         (stored->second.source.path.empty() ? "" : " (" + stored->second.source.path + ")") + "; " +
                         w.file->path + " cannot take it over");
          continue;
        }
        if (!d.key.ns.empty() && input_.terminating_namespaces.count(d.key.ns)) {
          FailObject(w, d.key,
                     d.key.ToString() + " cannot be applied: namespace " + d.key.ns +
                         " is being terminated (unable to create new content in namespace " + d.key.ns +
                         " because it is being terminated); " + w.file->path +
                         " applies it again once the namespace is gone");
          continue;
        }
        if (stored != input_.stored.end() && stored->second.being_deleted) {
          FailObject(w, d.key,
                     d.key.ToString() + " is being deleted (Terminating); " + w.file->path +
                         " creates it again once it is gone");
          continue;
        }
        if (auto holder = HolderOtherThan(d.key, w.file->path)) {
          FailObject(w, d.key,
                     d.key.ToString() + " is declared in both " + *holder + " and " + w.file->path + "; " + *holder +
                         " keeps it until it no longer declares it");
        }
      }
      if (w.failing) changed = true;
    }
    return changed;
  }

  // Among valid batch files newly declaring the same object, the first by path wins.
  bool ResolveCompetition() {
    bool changed = false;
    std::map<ObjectKey, size_t> winner;
    for (size_t i : order_) {
      Work& w = work_[i];
      if (w.failing || w.file->state != FileInput::State::kValid) continue;
      for (const DeclaredObject& d : w.file->declared) {
        auto [it, inserted] = winner.emplace(d.key, i);
        if (inserted) continue;
        const std::string& first = work_[it->second].file->path;
        FailObject(w, d.key,
                   d.key.ToString() + " is declared in both " + first + " and " + w.file->path + "; " + first +
                       " keeps it until it no longer declares it");
      }
      if (w.failing) changed = true;
    }
    return changed;
  }

  // Failures change what failing files hold, so repeat until nothing new fails (failures
  // only grow, so this ends).
  void ResolveClaims() {
    while (true) {
      while (CheckHeldObjects()) {
      }
      if (!ResolveCompetition()) break;
    }
  }

  // Last step: moves the declared objects of `file` (== *w.file) into the ops.
  FilePlan BuildPlan(const Work& w, FileInput& file) {
    FilePlan plan;
    plan.path = file.path;
    plan.revision = file.revision;
    plan.errors = file.diagnostics;
    if (w.failing) {
      plan.result = "Failed";
      plan.conflict = w.conflict;
      plan.errors.insert(plan.errors.end(), w.problems.begin(), w.problems.end());
      plan.outcomes = w.failed_objects;
      return plan;
    }
    plan.result = file.state == FileInput::State::kRemoved ? "Removed" : "Applied";
    if (file.state == FileInput::State::kValid) {
      for (DeclaredObject& d : file.declared) {
        store::SourceRef source{input_.source_name, file.path, d.document, d.document_hash};
        store::ObjectOutcome outcome{d.key, "", ""};
        auto stored = input_.stored.find(d.key);
        bool write = true;
        if (stored == input_.stored.end()) {
          outcome.action = "created";
        } else {
          const store::SourceRef& was = stored->second.source;
          if (was.empty()) {
            outcome.message = "adopted: it was created through the API";
          } else if (was.path != file.path) {
            outcome.message = "moved from " + was.path;
          }
          bool same = stored->second.content_hash == d.content_hash;
          outcome.action = same ? "unchanged" : "updated";
          write = !same || was != source;  // a new source alone is bookkeeping, not a change
        }
        if (write) {
          store::WriteOp op;
          op.type = store::WriteOp::Type::kApply;
          op.object = std::move(d.object);
          op.source = source;
          plan.ops.push_back(std::move(op));
        }
        plan.outcomes.push_back(std::move(outcome));
      }
    }
    for (const ObjectKey& key : w.owned) {
      if (w.declared.count(key) && file.state == FileInput::State::kValid) continue;
      if (TakenOverByBatchFile(key, file.path)) continue;
      store::WriteOp op;
      op.type = store::WriteOp::Type::kDelete;
      op.key = key;
      plan.ops.push_back(std::move(op));
      plan.outcomes.push_back({key, "pruned", ""});
    }
    return plan;
  }

  bool TakenOverByBatchFile(const ObjectKey& key, const std::string& self) const {
    for (const Work& other : work_) {
      if (other.file->path == self || other.failing || other.file->state != FileInput::State::kValid) continue;
      if (other.declared.count(key)) return true;
    }
    return false;
  }

  BatchInput input_;
  std::vector<Work> work_;
  std::map<std::string, size_t> index_;  // path -> position in work_
  std::vector<size_t> order_;            // positions sorted by path
};

}  // namespace

void StripToDesiredForm(Object& obj) {
  if (!obj.is_object()) return;
  obj.erase("status");
  auto meta = obj.find("metadata");
  if (meta != obj.end() && meta->is_object()) {
    for (const char* field : kServerOwnedMetadata) meta->erase(field);
  }
}

Object DesiredForm(const Object& obj) {
  Object out = obj;
  StripToDesiredForm(out);
  return out;
}

std::string ContentHash(const Object& obj) {
  // Fields a controller fills in (spec.nodeName) are not the file's business: hash without them.
  for (const std::string& path : manifests::ServerPopulatedFields(manifests::KindOf(obj))) {
    if (manifests::HasFieldsAt(obj, path)) {
      Object trimmed = obj;
      manifests::EraseFieldsAt(trimmed, path);
      return ContentHash(trimmed);
    }
  }
  auto dump = [](const Object& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  if (!obj.is_object()) return Sha256Hex(dump(obj));
  // The canonical text of DesiredForm(obj), written field by field instead of copying the tree.
  std::string text = "{";
  bool first = true;
  auto add = [&](const std::string& key, const std::string& value) {
    if (!first) text += ',';
    first = false;
    text += Object(key).dump();
    text += ':';
    text += value;
  };
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (it.key() == "status") continue;
    if (it.key() != "metadata" || !it.value().is_object()) {
      add(it.key(), dump(it.value()));
      continue;
    }
    std::string meta = "{";
    bool first_meta = true;
    for (auto m = it.value().begin(); m != it.value().end(); ++m) {
      if (std::find(std::begin(kServerOwnedMetadata), std::end(kServerOwnedMetadata), m.key()) !=
          std::end(kServerOwnedMetadata)) {
        continue;
      }
      if (!first_meta) meta += ',';
      first_meta = false;
      meta += Object(m.key()).dump() + ":" + dump(m.value());
    }
    add(it.key(), meta + "}");
  }
  return Sha256Hex(text + "}");
}

std::vector<FilePlan> PlanBatch(BatchInput input) { return Planner(std::move(input)).Run(); }

}  // namespace moor::reconciler
