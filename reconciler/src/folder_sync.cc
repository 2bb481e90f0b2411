#include "folder_sync.h"

#include <chrono>
#include <utility>

#include "moor/common/files.h"
#include "moor/common/log.h"
#include "moor/manifests/kinds.h"
#include "moor/reconciler/path_filter.h"
#include "tree_walk.h"

namespace moor::reconciler {
namespace {

constexpr const char* kFileKind = "ManifestFile";
constexpr const char* kFileApiVersion = "moor.dev/v1";
constexpr size_t kErrorsInLog = 3;
constexpr size_t kErrorsInEvent = 10;
// Even with a live change feed, every kind is listed again at least this often.
constexpr std::chrono::hours kFullListInterval{1};

bool IsBelow(const std::string& dir, const std::string& path) {
  if (dir.empty()) return true;
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

int64_t ResourceVersionOf(const Object& obj) {
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return 0;
  auto rv = meta->find("resourceVersion");
  if (rv == meta->end()) return 0;
  if (rv->is_number_integer()) return rv->get<int64_t>();
  if (rv->is_string()) {
    try {
      return std::stoll(rv->get<std::string>());
    } catch (...) {
      return 0;
    }
  }
  return 0;
}

std::string JoinFirst(const std::vector<std::string>& lines, size_t count, const char* separator) {
  std::string out;
  for (size_t i = 0; i < lines.size() && i < count; ++i) {
    if (i > 0) out += separator;
    out += lines[i];
  }
  if (lines.size() > count) out += std::string(separator) + "(" + std::to_string(lines.size() - count) + " more)";
  return out;
}

double Seconds(MonoTime::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

FolderSync::FolderSync(const FolderSourceOptions& options)
    : options_(options),
      applied_total_(MetricsRegistry::Default().GetCounter("moor_sync_total", "Files synced, by source and result.",
                                                            {{"source", options.source_name}, {"result", "Applied"}})),
      failed_total_(MetricsRegistry::Default().GetCounter("moor_sync_total", "Files synced, by source and result.",
                                                           {{"source", options.source_name}, {"result", "Failed"}})),
      removed_total_(MetricsRegistry::Default().GetCounter("moor_sync_total", "Files synced, by source and result.",
                                                            {{"source", options.source_name}, {"result", "Removed"}})),
      errors_total_(MetricsRegistry::Default().GetCounter("moor_sync_errors_total",
                                                           "Files whose sync failed (invalid, conflicting or not stored).",
                                                           {{"source", options.source_name}})),
      duration_(MetricsRegistry::Default().GetHistogram("moor_sync_duration_seconds",
                                                         "Time to load and store one file, in seconds.",
                                                         {{"source", options.source_name}})),
      files_gauge_(MetricsRegistry::Default().GetGauge("moor_source_files", "Manifest files a source tracks.",
                                                        {{"source", options.source_name}})) {}

Status FolderSync::SyncAll() {
  std::lock_guard<std::mutex> lock(mu_);
  MonoTime started = options_.clock->Monotonic();
  struct stat root_stat {};
  if (::stat(options_.root.c_str(), &root_stat) != 0 || !S_ISDIR(root_stat.st_mode)) {
    return FailedPreconditionError("manifests folder " + options_.root.string() + " is not a directory");
  }

  std::map<std::string, FileStat> on_disk;
  WalkTree(options_.root, "", nullptr, [&](const std::string& path, const struct stat& st) {
    on_disk[path] = FileStat{static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
                             static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec,
                             static_cast<int64_t>(st.st_size), static_cast<uint64_t>(st.st_dev),
                             static_cast<uint64_t>(st.st_ino)};
  });

  std::map<ObjectKey, store::Record> listed;
  bool full_list = false;
  MOOR_RETURN_IF_ERROR(RefreshFromStore(listed, full_list));

  std::map<std::string, Candidate> candidates;
  for (const auto& [path, st] : on_disk) {
    auto known = files_.find(path);
    if (known == files_.end() || known->second.stat != st || known->second.revision.empty()) candidates[path];
  }
  for (const auto& [path, state] : files_) {
    if (!on_disk.count(path)) candidates[path];
  }
  for (const auto& [path, keys] : owned_by_path_) {
    if (!on_disk.count(path)) candidates[path];
  }
  // Drift: a valid file whose objects are missing or different in the store.
  for (const auto& [path, state] : files_) {
    if (!state.valid || candidates.count(path)) continue;
    for (const auto& [key, info] : state.declared) {
      auto o = owned_.find(key);
      if (o == owned_.end() || o->second.source.path != path || o->second.content_hash != info.content_hash ||
          o->second.source.document != info.document || o->second.source.hash != info.document_hash) {
        candidates[path].force = true;
        break;
      }
    }
  }
  // Objects still owned by a file that no longer declares them (a move whose other half
  // failed to commit): that file prunes them.
  for (const auto& [key, o] : owned_) {
    auto state = files_.find(o.source.path);
    if (state != files_.end() && state->second.valid && !state->second.declared.count(key)) {
      candidates[o.source.path].force = true;
    }
  }
  MonoTime listed_at = options_.clock->Monotonic();
  Status status = ProcessBatch(candidates, full_list ? &listed : nullptr);
  if (full_list && status.ok() && !wrote_events_) {
    // If the store moved only by our own commits since the list, nobody else changed
    // anything: follow the feed from here instead of re-reading our own writes.
    int64_t now_rv = options_.store->CurrentResourceVersion();
    if (now_rv == list_rv_ + own_writes_) {
      store::WatchOptions watch;
      watch.from_rv = now_rv;
      auto feed = options_.store->Watch(watch);
      if (feed.ok()) feed_ = std::move(*feed);
    }
  }
  MonoTime done_at = options_.clock->Monotonic();
  LogDebug("full sync", {{"source", options_.source_name},
                         {"files", std::to_string(on_disk.size())},
                         {"candidates", std::to_string(candidates.size())},
                         {"listed", full_list ? "true" : "false"},
                         {"scan_list_ms", std::to_string(Seconds(listed_at - started) * 1000)},
                         {"process_ms", std::to_string(Seconds(done_at - listed_at) * 1000)}});
  return status;
}

bool FolderSync::DrainStoreChanges() {
  std::lock_guard<std::mutex> lock(mu_);
  DrainFeed();
  bool ready = retry_ready_ && !retry_.empty();
  retry_ready_ = false;
  return ready;
}

void FolderSync::DrainFeed() {
  while (feed_ != nullptr) {
    auto next = feed_->Next(std::chrono::milliseconds(0));
    if (!next.ok()) {
      LogInfo("store change feed lost; the next resync lists everything",
              {{"source", options_.source_name}, {"error", next.status().ToString()}});
      feed_.reset();
      break;
    }
    if (!next->has_value()) break;
    const store::WatchEvent& event = **next;
    ObjectKey key = manifests::KeyOf(event.object);
    if (event.type == store::WatchEvent::Type::kDeleted) {
      auto waiting = waiting_for_removal_.find(key);
      if (waiting != waiting_for_removal_.end()) {
        retry_.insert(waiting->second.begin(), waiting->second.end());
        retry_ready_ = true;
        waiting_for_removal_.erase(waiting);
      }
    }
    auto owned = owned_.find(key);
    bool ours = owned != owned_.end();
    if (!ours && !declared_by_.count(key)) continue;  // nothing a file of this source cares about
    if (ours && event.type != store::WatchEvent::Type::kDeleted &&
        ResourceVersionOf(event.object) == owned->second.resource_version) {
      continue;  // our own write
    }
    changed_keys_.insert(std::move(key));
  }
}

Status FolderSync::RefreshFromStore(std::map<ObjectKey, store::Record>& listed, bool& full_list) {
  DrainFeed();
  bool list_due = !listed_once_ || options_.clock->Monotonic() - last_full_list_ >= kFullListInterval;
  if (feed_ != nullptr && !list_due) {
    full_list = false;
    for (const ObjectKey& key : changed_keys_) {
      auto record = options_.store->Get(key);
      if (record.ok() && record->source.source == options_.source_name) {
        RememberOwned(key, record->source, record->object);
      } else if (record.ok() || record.status().code() == StatusCode::kNotFound) {
        ForgetOwned(key);
      } else {
        return record.status().WithContext("reading " + key.ToString());
      }
    }
    changed_keys_.clear();
    return Status::Ok();
  }

  // One List per kind: what this source owns (rebuilding the ownership index, so changes made
  // through the API are seen) and what the files' objects look like in the store. The feed
  // opens first, so nothing written during the lists is missed.
  full_list = true;
  listed_once_ = true;
  last_full_list_ = options_.clock->Monotonic();
  store::WatchOptions watch;
  watch.from_rv = options_.store->CurrentResourceVersion();
  list_rv_ = watch.from_rv;
  own_writes_ = 0;
  wrote_events_ = false;
  auto feed = options_.store->Watch(watch);
  if (!feed.ok()) {
    LogWarn("cannot follow the store's change feed; resyncs list everything",
            {{"source", options_.source_name}, {"error", feed.status().ToString()}});
  }
  std::map<ObjectKey, OwnedObject> owned;
  for (const manifests::KindInfo& kind : manifests::SupportedKinds()) {
    store::ListOptions list;
    list.kind = kind.kind;
    auto result = options_.store->List(list);
    if (!result.ok()) return result.status().WithContext("listing " + kind.kind);
    for (store::Record& record : result->items) {
      ObjectKey key = manifests::KeyOf(record.object);
      if (record.source.source == options_.source_name) {
        OwnedObject o{record.source, ResourceVersionOf(record.object), ""};
        auto previous = owned_.find(key);
        o.content_hash = previous != owned_.end() && previous->second.resource_version == o.resource_version &&
                                 o.resource_version != 0
                             ? previous->second.content_hash
                             : ContentHash(record.object);
        owned.emplace(key, std::move(o));
      }
      listed.emplace(std::move(key), std::move(record));
    }
  }
  owned_ = std::move(owned);
  owned_by_path_.clear();
  for (const auto& [key, o] : owned_) owned_by_path_[o.source.path].insert(key);
  changed_keys_.clear();
  if (feed.ok()) feed_ = std::move(*feed);
  return Status::Ok();
}

Status FolderSync::SyncPaths(const std::set<std::string>& paths) {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, Candidate> candidates;
  for (const std::string& path : paths) {
    struct stat st {};
    bool exists = ::stat((options_.root / path).c_str(), &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) {
      if (IsWatchedDirectory(path)) {
        WalkTree(options_.root, path, nullptr, [&](const std::string& file, const struct stat&) { candidates[file]; });
      }
    } else if (IsManifestPath(path) || files_.count(path) || owned_by_path_.count(path)) {
      candidates[path];
    }
    AddKnownBelow(path, candidates);  // a directory that vanished or moved: what was below it
  }
  if (candidates.empty() && retry_.empty()) return Status::Ok();
  return ProcessBatch(candidates, nullptr);
}

void FolderSync::AddKnownBelow(const std::string& dir, std::map<std::string, Candidate>& candidates) const {
  if (dir.empty()) return;
  for (auto it = files_.upper_bound(dir); it != files_.end() && IsBelow(dir, it->first); ++it) candidates[it->first];
  for (auto it = owned_by_path_.upper_bound(dir); it != owned_by_path_.end() && IsBelow(dir, it->first); ++it) {
    candidates[it->first];
  }
}

bool FolderSync::LoadCandidate(const std::string& path, const Candidate& candidate, Loaded& out) {
  MonoTime started = options_.clock->Monotonic();
  out.input.path = path;
  bool known = files_.count(path) > 0 || owned_by_path_.count(path) > 0;
  std::filesystem::path full = options_.root / path;
  struct stat st {};
  if (!IsManifestPath(path) || ::stat(full.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    out.input.state = FileInput::State::kRemoved;
    return known;
  }
  out.stat = FileStat{static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
                      static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec,
                      static_cast<int64_t>(st.st_size), static_cast<uint64_t>(st.st_dev),
                      static_cast<uint64_t>(st.st_ino)};
  auto content = ReadFileLimited(full, options_.load.parse.max_bytes);
  if (!content.ok()) {
    if (content.status().code() == StatusCode::kNotFound) {
      out.input.state = FileInput::State::kRemoved;
      return known;
    }
    // Too large or unreadable: an error of the file; what it applied before stays.
    out.input.state = FileInput::State::kBroken;
    out.input.revision = "";
    out.input.diagnostics.push_back(path + ": " + content.status().message());
    out.load_seconds = Seconds(options_.clock->Monotonic() - started);
    return true;
  }
  out.input.revision = Sha256Hex(*content);
  auto state = files_.find(path);
  if (!candidate.force && state != files_.end() && state->second.revision == out.input.revision) {
    state->second.stat = out.stat;  // touched, not changed
    return false;
  }
  manifests::LoadedFile loaded = manifests::LoadContent(path, *content, options_.load);
  for (const manifests::Diagnostic& d : loaded.diagnostics) out.input.diagnostics.push_back(d.ToString());
  if (!loaded.ok()) {
    out.input.state = FileInput::State::kBroken;
  } else {
    out.input.state = FileInput::State::kValid;
    for (manifests::Document& doc : loaded.documents) {
      DeclaredObject d;
      d.key = manifests::KeyOf(doc.object);
      d.object = std::move(doc.object);
      StripToDesiredForm(d.object);
      d.document = doc.index;
      d.document_hash = doc.hash;
      d.content_hash = ContentHash(d.object);
      out.declared[d.key] = DeclaredInfo{d.document, d.document_hash, d.content_hash};
      out.input.declared.push_back(std::move(d));
    }
  }
  out.load_seconds = Seconds(options_.clock->Monotonic() - started);
  return true;
}

Status FolderSync::ProcessBatch(const std::map<std::string, Candidate>& candidates,
                                const std::map<ObjectKey, store::Record>* listed) {
  std::map<std::string, Candidate> all = candidates;
  for (const std::string& path : retry_) all[path].force = true;
  retry_.clear();

  std::vector<Loaded> loaded;
  for (const auto& [path, candidate] : all) {
    Loaded one;
    if (LoadCandidate(path, candidate, one)) loaded.push_back(std::move(one));
  }
  if (loaded.empty()) {
    UpdateGauge();
    return Status::Ok();
  }
  MonoTime planning_started = options_.clock->Monotonic();

  BatchInput batch;
  batch.source_name = options_.source_name;
  std::set<std::string> in_batch;
  std::set<ObjectKey> involved;
  for (const Loaded& one : loaded) {
    in_batch.insert(one.input.path);
    for (const DeclaredObject& d : one.input.declared) involved.insert(d.key);
    auto owned = owned_by_path_.find(one.input.path);
    if (owned != owned_by_path_.end()) involved.insert(owned->second.begin(), owned->second.end());
  }
  // The stored record of `key` (nullptr if absent): from the full list when there is one, else
  // read into `fetched`. A failed read marks the batch's files for a retry.
  auto lookup = [&](const ObjectKey& key, StatusOr<store::Record>& fetched) -> StatusOr<const store::Record*> {
    if (listed != nullptr) {
      auto it = listed->find(key);
      return it == listed->end() ? nullptr : &it->second;
    }
    fetched = options_.store->Get(key);
    if (fetched.ok()) return &*fetched;
    if (fetched.status().code() == StatusCode::kNotFound) return nullptr;
    for (const Loaded& one : loaded) retry_.insert(one.input.path);
    return fetched.status().WithContext("reading " + key.ToString());
  };
  // The store's current state of every involved key.
  for (const ObjectKey& key : involved) {
    StatusOr<store::Record> fetched = NotFoundError("");
    MOOR_ASSIGN_OR_RETURN(const store::Record* record, lookup(key, fetched));
    if (record == nullptr) {
      ForgetOwned(key);  // deleted through the API
      continue;
    }
    batch.stored[key] = StoredObject{record->source, ContentHash(record->object), manifests::IsBeingDeleted(record->object)};
    if (record->source.source == options_.source_name) {
      RememberOwned(key, record->source, record->object);
    } else {
      ForgetOwned(key);
    }
  }
  // Who outside the batch holds the keys the batch declares.
  for (const Loaded& one : loaded) {
    for (const DeclaredObject& d : one.input.declared) {
      auto declared = declared_by_.find(d.key);
      if (declared != declared_by_.end()) {
        for (const std::string& path : declared->second) {
          if (!in_batch.count(path)) batch.held_elsewhere[d.key] = path;
        }
      }
      auto owner = owned_.find(d.key);
      if (owner != owned_.end() && !in_batch.count(owner->second.source.path)) {
        auto state = files_.find(owner->second.source.path);
        bool holds = state != files_.end() && (!state->second.valid || state->second.declared.count(d.key));
        if (holds) batch.held_elsewhere[d.key] = owner->second.source.path;  // the owner first
      }
    }
  }
  for (Loaded& one : loaded) batch.files.push_back(std::move(one.input));

  // Namespaces being deleted that the batch declares objects in: nothing can be created there.
  std::set<std::string> namespaces;
  for (const FileInput& file : batch.files) {
    for (const DeclaredObject& d : file.declared) {
      if (!d.key.ns.empty()) namespaces.insert(d.key.ns);
    }
  }
  for (const std::string& ns : namespaces) {
    const ObjectKey key{"Namespace", "", ns};
    StatusOr<store::Record> fetched = NotFoundError("");
    MOOR_ASSIGN_OR_RETURN(const store::Record* record, lookup(key, fetched));
    if (record != nullptr && manifests::IsBeingDeleted(record->object)) {
      batch.terminating_namespaces.insert(ns);
    }
  }

  std::set<ObjectKey> being_deleted;
  for (const auto& [key, stored] : batch.stored) {
    if (stored.being_deleted) being_deleted.insert(key);
  }
  const std::set<std::string> terminating = batch.terminating_namespaces;
  std::vector<FilePlan> plans = PlanBatch(std::move(batch));
  // A file that failed for an object still being deleted, or for a namespace being deleted, is
  // retried as soon as that is gone.
  for (const FilePlan& plan : plans) {
    for (auto it = waiting_for_removal_.begin(); it != waiting_for_removal_.end();) {
      it->second.erase(plan.path);
      it = it->second.empty() ? waiting_for_removal_.erase(it) : std::next(it);
    }
    if (plan.result != "Failed") continue;
    for (const store::ObjectOutcome& o : plan.outcomes) {
      if (o.action != "failed") continue;
      if (being_deleted.count(o.key)) waiting_for_removal_[o.key].insert(plan.path);
      if (terminating.count(o.key.ns)) waiting_for_removal_[ObjectKey{"Namespace", "", o.key.ns}].insert(plan.path);
    }
  }
  double planning_seconds = Seconds(options_.clock->Monotonic() - planning_started);
  Status first_failure;
  int failures = 0;
  for (size_t i = 0; i < plans.size(); ++i) {
    Status committed = CommitPlan(plans[i], loaded[i], planning_seconds);
    if (!committed.ok() && failures++ == 0) first_failure = committed.WithContext(plans[i].path);
  }
  UpdateGauge();
  if (failures > 0) {
    // Reported so that the caller retries with backoff; the files stay queued for retry.
    return first_failure.WithContext(std::to_string(failures) + " file(s) not applied");
  }
  return Status::Ok();
}

Status FolderSync::CommitPlan(const FilePlan& plan, const Loaded& loaded, double planning_seconds) {
  MonoTime started = options_.clock->Monotonic();
  const std::string& path = plan.path;
  if (plan.result == "Failed") {
    FileState& state = files_[path];
    state.stat = loaded.stat;
    state.revision = plan.revision;
    state.valid = false;
    SetFileDeclared(path, {});
    if (plan.conflict) retry_.insert(path);
    if (state.last_failure != plan.errors) {
      state.last_failure = plan.errors;
      RecordFailure(plan, loaded.load_seconds + planning_seconds + Seconds(options_.clock->Monotonic() - started));
    }
    return Status::Ok();  // a file with errors is a result, not a failure to sync
  }

  store::Transaction txn;
  txn.ops = plan.ops;
  store::SyncRecord record;
  record.source = options_.source_name;
  record.path = path;
  record.revision = plan.revision;
  record.time = options_.clock->Now();
  record.result = plan.result;
  record.errors = plan.errors;
  record.objects = plan.outcomes;
  record.duration_seconds = loaded.load_seconds + planning_seconds;
  txn.sync_record = record;
  auto committed = options_.store->Commit(txn);
  double seconds = loaded.load_seconds + planning_seconds + Seconds(options_.clock->Monotonic() - started);
  duration_.Observe(seconds);
  if (!committed.ok()) {
    // Nothing of the file was applied; try again with the next batch.
    errors_total_.Inc();
    failed_total_.Inc();
    retry_.insert(path);
    auto state = files_.find(path);
    if (state != files_.end()) state->second.revision.clear();
    LogWarn("sync failed", {{"source", options_.source_name},
                            {"file", path},
                            {"error", committed.status().ToString()}});
    return committed.status();
  }
  for (size_t i = 0; i < committed->size() && i < txn.ops.size(); ++i) {
    const store::OpResult& result = (*committed)[i];
    if (result.action != store::OpResult::Action::kUnchanged) ++own_writes_;
    // A pruned pod that is only marked for deletion (Terminating) is let go of too: it is on
    // its way out, and its node removes it.
    if (result.action == store::OpResult::Action::kDeleted || txn.ops[i].type == store::WriteOp::Type::kDelete) {
      ForgetOwned(result.key);
    } else if (txn.ops[i].source) {
      RememberOwned(result.key, *txn.ops[i].source, result.object);
    }
  }

  int created = 0, updated = 0, unchanged = 0, pruned = 0;
  for (const store::ObjectOutcome& o : plan.outcomes) {
    if (o.action == "created") ++created;
    if (o.action == "updated") ++updated;
    if (o.action == "unchanged") ++unchanged;
    if (o.action == "pruned") ++pruned;
  }
  if (plan.result == "Removed") {
    SetFileDeclared(path, {});
    files_.erase(path);
    removed_total_.Inc();
  } else {
    FileState& state = files_[path];
    state.stat = loaded.stat;
    state.revision = plan.revision;
    state.valid = true;
    state.last_failure.clear();
    SetFileDeclared(path, loaded.declared);
    applied_total_.Inc();
  }
  LogInfo("synced file", {{"source", options_.source_name},
                          {"file", path},
                          {"result", plan.result},
                          {"created", std::to_string(created)},
                          {"updated", std::to_string(updated)},
                          {"unchanged", std::to_string(unchanged)},
                          {"pruned", std::to_string(pruned)},
                          {"duration_ms", std::to_string(static_cast<int64_t>(seconds * 1000))}});
  return Status::Ok();
}

void FolderSync::RecordFailure(const FilePlan& plan, double seconds) {
  errors_total_.Inc();
  failed_total_.Inc();
  duration_.Observe(seconds);
  store::SyncRecord record;
  record.source = options_.source_name;
  record.path = plan.path;
  record.revision = plan.revision;
  record.time = options_.clock->Now();
  record.result = "Failed";
  record.duration_seconds = seconds;
  record.errors = plan.errors;
  record.objects = plan.outcomes;
  store::Transaction txn;
  txn.sync_record = std::move(record);
  auto committed = options_.store->Commit(txn);
  if (!committed.ok()) {
    LogError("cannot record a failed sync", {{"file", plan.path}, {"error", committed.status().ToString()}});
  }

  store::EventInput event;
  event.involved = ObjectKey{kFileKind, "default", plan.path};
  event.involved_api_version = kFileApiVersion;
  event.field_path = plan.path;
  event.type = "Warning";
  event.reason = "SyncFailed";
  std::vector<std::string> errors;  // warnings stay in the sync record; the event says what failed
  for (const std::string& e : plan.errors) {
    if (e.find("warning: ") == std::string::npos) errors.push_back(e);
  }
  if (errors.empty()) errors = plan.errors;
  event.message = JoinFirst(errors, kErrorsInEvent, "\n");
  wrote_events_ = true;
  Status recorded = options_.store->RecordEvent(event);
  if (!recorded.ok()) LogError("cannot record an event", {{"file", plan.path}, {"error", recorded.ToString()}});

  LogWarn("sync failed", {{"source", options_.source_name},
                          {"file", plan.path},
                          {"errors", std::to_string(errors.size())},
                          {"first", JoinFirst(errors, kErrorsInLog, "; ")}});
}

void FolderSync::RememberOwned(const ObjectKey& key, const store::SourceRef& source, const Object& object) {
  auto it = owned_.find(key);
  if (it != owned_.end() && it->second.source.path != source.path) {
    auto by_path = owned_by_path_.find(it->second.source.path);
    if (by_path != owned_by_path_.end()) {
      by_path->second.erase(key);
      if (by_path->second.empty()) owned_by_path_.erase(by_path);
    }
  }
  owned_[key] = OwnedObject{source, ResourceVersionOf(object), ContentHash(object)};
  owned_by_path_[source.path].insert(key);
}

void FolderSync::ForgetOwned(const ObjectKey& key) {
  auto it = owned_.find(key);
  if (it == owned_.end()) return;
  auto by_path = owned_by_path_.find(it->second.source.path);
  if (by_path != owned_by_path_.end()) {
    by_path->second.erase(key);
    if (by_path->second.empty()) owned_by_path_.erase(by_path);
  }
  owned_.erase(it);
}

void FolderSync::SetFileDeclared(const std::string& path, std::map<ObjectKey, DeclaredInfo> declared) {
  auto state = files_.find(path);
  if (state != files_.end()) {
    for (const auto& [key, info] : state->second.declared) {
      auto it = declared_by_.find(key);
      if (it == declared_by_.end()) continue;
      it->second.erase(path);
      if (it->second.empty()) declared_by_.erase(it);
    }
    state->second.declared.clear();
  }
  if (declared.empty()) return;
  for (const auto& [key, info] : declared) declared_by_[key].insert(path);
  files_[path].declared = std::move(declared);
}

void FolderSync::UpdateGauge() { files_gauge_.Set(static_cast<double>(files_.size())); }

}  // namespace moor::reconciler
