#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "moor/common/metrics.h"
#include "moor/reconciler/folder_source.h"
#include "moor/reconciler/sync_planner.h"

namespace moor::reconciler {

// The folder source's sync engine, without threads: it turns "these paths changed" or "look
// at everything" into per-file store transactions (planned by PlanBatch), and keeps the
// per-file state that lets unchanged files and objects be skipped. Thread-safe (one sync at
// a time).
class FolderSync {
 public:
  // `options.store` and `options.clock` must be set and outlive this object.
  explicit FolderSync(const FolderSourceOptions& options);

  // A full scan of the folder against the store (one List per kind): new, changed and
  // deleted files, drifted objects, objects owned by files that no longer exist, and files
  // waiting for a retry. FailedPrecondition (nothing changed) if the root is not a directory.
  Status SyncAll();

  // Syncs the files the events name (a directory path stands for everything below it),
  // plus the files waiting for a retry (conflicts, failed commits).
  Status SyncPaths(const std::set<std::string>& paths);

  // Reads what is waiting on the store's change feed (keeps its backlog small between
  // resyncs). Never blocks. True if a file now waits for a retry that can succeed: an object
  // it declares that was being deleted is gone (call SyncPaths({}) to create it again).
  bool DrainStoreChanges();

 private:
  struct FileStat {
    int64_t mtime_ns = 0;
    int64_t ctime_ns = 0;
    int64_t size = 0;
    uint64_t dev = 0;
    uint64_t ino = 0;
    bool operator==(const FileStat&) const = default;
  };
  struct DeclaredInfo {
    int document = 0;
    std::string document_hash;
    std::string content_hash;
  };
  struct FileState {
    FileStat stat;
    std::string revision;  // content hash of the file as last synced ("" forces a re-read)
    bool valid = false;    // the last sync applied it; `declared` is what it declares
    std::map<ObjectKey, DeclaredInfo> declared;
    std::vector<std::string> last_failure;  // errors last recorded for it (avoid repeats)
  };
  struct OwnedObject {  // an object the store records as this source's
    store::SourceRef source;
    int64_t resource_version = 0;
    std::string content_hash;
  };
  struct Candidate {
    bool force = false;  // read and plan it even if its content hash did not change
  };
  struct Loaded {
    FileInput input;  // moved into the batch for planning
    std::map<ObjectKey, DeclaredInfo> declared;  // what the file declares, if valid
    FileStat stat;
    double load_seconds = 0;
  };

  // Brings owned_ up to date with the store. With a live change feed, only keys that others
  // changed since the last look are read again (cheap no-op resyncs); otherwise (at start,
  // after the feed was lost) every kind is listed into `listed` and a new feed is opened.
  Status RefreshFromStore(std::map<ObjectKey, store::Record>& listed, bool& full_list);
  // Collects keys others changed from the change feed; drops the feed if it fails.
  void DrainFeed();
  Status ProcessBatch(const std::map<std::string, Candidate>& candidates,
                      const std::map<ObjectKey, store::Record>* listed);
  // Reads and loads one candidate; false if there is nothing to do for it.
  bool LoadCandidate(const std::string& path, const Candidate& candidate, Loaded& out);
  // The store's error if the file's transaction did not commit (the file is retried).
  Status CommitPlan(const FilePlan& plan, const Loaded& loaded, double planning_seconds);
  void RememberOwned(const ObjectKey& key, const store::SourceRef& source, const Object& object);
  void ForgetOwned(const ObjectKey& key);
  void SetFileDeclared(const std::string& path, std::map<ObjectKey, DeclaredInfo> declared);
  void AddKnownBelow(const std::string& dir, std::map<std::string, Candidate>& candidates) const;
  void RecordFailure(const FilePlan& plan, double seconds);
  void UpdateGauge();

  FolderSourceOptions options_;
  std::mutex mu_;
  std::map<std::string, FileState> files_;                    // GUARDED_BY(mu_), by relative path
  std::map<ObjectKey, std::set<std::string>> declared_by_;    // GUARDED_BY(mu_), valid files only
  std::map<ObjectKey, OwnedObject> owned_;                    // GUARDED_BY(mu_)
  std::map<std::string, std::set<ObjectKey>> owned_by_path_;  // GUARDED_BY(mu_)
  std::set<std::string> retry_;                               // GUARDED_BY(mu_)
  // Objects being deleted that files declare (they failed for them), and Terminating Namespaces
  // that files declare objects in, with those files: once the feed shows one gone, its files
  // are retried at once.
  std::map<ObjectKey, std::set<std::string>> waiting_for_removal_;  // GUARDED_BY(mu_)
  bool retry_ready_ = false;                                  // GUARDED_BY(mu_)
  std::unique_ptr<store::Watcher> feed_;                      // GUARDED_BY(mu_), the store's change feed
  std::set<ObjectKey> changed_keys_;                          // GUARDED_BY(mu_), seen on the feed
  MonoTime last_full_list_{};                                 // GUARDED_BY(mu_)
  bool listed_once_ = false;                                  // GUARDED_BY(mu_)
  // Since the last full list: resourceVersions our commits took, and whether we recorded
  // events (which take an unknown number). Lets the feed skip our own writes.
  int64_t list_rv_ = 0;                                       // GUARDED_BY(mu_)
  int64_t own_writes_ = 0;                                    // GUARDED_BY(mu_)
  bool wrote_events_ = false;                                 // GUARDED_BY(mu_)

  Counter& applied_total_;
  Counter& failed_total_;
  Counter& removed_total_;
  Counter& errors_total_;
  Histogram& duration_;
  Gauge& files_gauge_;
};

}  // namespace moor::reconciler
