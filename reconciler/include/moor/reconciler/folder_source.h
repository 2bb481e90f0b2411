#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "moor/common/clock.h"
#include "moor/common/status.h"
#include "moor/manifests/load.h"
#include "moor/reconciler/file_watcher.h"
#include "moor/store/store.h"

namespace moor::reconciler {

class FolderSync;

struct FolderSourceOptions {
  std::filesystem::path root;          // the watched folder; created if missing
  store::Store* store = nullptr;       // required; must outlive the source
  Clock* clock = nullptr;              // nullptr: SystemClock()
  std::chrono::milliseconds debounce{150};   // quiet time after the last event before a batch
  std::chrono::seconds resync_interval{300}; // periodic full SyncAll (drift repair)
  manifests::LoadOptions load;
  std::string source_name = "folder";  // SourceRef::source of the objects it manages
};

// Keeps the objects declared by the YAML/JSON files of a folder (recursively) in the store.
//
// - Per-file atomic: a file with any error applies nothing (its previous objects stay as they
//   were) and its errors go to a "Failed" SyncRecord and a Warning Event (reason SyncFailed,
//   involved object ManifestFile/default/<relative path>). A valid file's objects, the
//   pruning of what it no longer declares and its "Applied" SyncRecord are one transaction.
// - Each object records its source file; deleting a file prunes exactly its objects, an
//   object moving between files keeps its uid, and objects created through the API (empty
//   source) are never pruned. A file declaring an API-created object adopts it, as
//   `kubectl apply` would; objects of another source are never taken over.
// - Unchanged files are skipped by content hash; unchanged objects are never rewritten.
// - SyncAll (at start, periodically, on inotify overflow) also repairs drift: objects a
//   file declares that are missing or different in the store are applied again, and
//   objects owned by files that no longer exist (deleted while moor was down) are pruned.
//
// Thread-safe. Stop() or destruction ends the watcher thread.
class FolderSource {
 public:
  // Creates the folder if missing, starts watching it with inotify, performs the initial
  // full sync synchronously (a file failing validation does not fail Start), then runs the
  // watcher thread. Fails if the folder cannot be created or watched, or the store fails.
  static StatusOr<std::unique_ptr<FolderSource>> Start(FolderSourceOptions options);
  // Same, with a given change feed (tests use a fake one).
  static StatusOr<std::unique_ptr<FolderSource>> Start(FolderSourceOptions options,
                                                       std::unique_ptr<FileWatcher> watcher);

  ~FolderSource();
  FolderSource(const FolderSource&) = delete;
  FolderSource& operator=(const FolderSource&) = delete;

  // A full scan now, blocking: every changed, new or deleted file, every drifted object.
  Status SyncAll();
  // Stops the watcher thread. Idempotent.
  void Stop();

  // Number of batches the watcher thread processed (for tests waiting on the thread).
  uint64_t BatchesProcessed() const { return batches_.load(); }

 private:
  FolderSource(FolderSourceOptions options, std::unique_ptr<FileWatcher> watcher);
  void Run(MonoTime first_resync);

  FolderSourceOptions options_;
  Clock* clock_;
  std::unique_ptr<FileWatcher> watcher_;
  std::unique_ptr<FolderSync> sync_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> batches_{0};
  std::thread thread_;
};

}  // namespace moor::reconciler
