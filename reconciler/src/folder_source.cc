#include "moor/reconciler/folder_source.h"

#include <algorithm>
#include <system_error>
#include <utility>

#include "folder_sync.h"
#include "moor/common/log.h"
#include "moor/reconciler/inotify_watcher.h"

namespace moor::reconciler {
namespace {

// How long the watcher thread waits at most between looks at the resync timer.
constexpr std::chrono::milliseconds kIdleWait{500};
// A batch is processed at the latest this long after its first event, even if events keep
// coming (a busy writer must not postpone syncing forever).
constexpr std::chrono::milliseconds kMaxBatchDelay{1000};
// A batch that failed for a reason that may pass (the store, the file system) is retried as a
// full rescan after a delay that doubles from kFirstRetry up to kMaxRetry.
constexpr std::chrono::milliseconds kFirstRetry{500};
constexpr std::chrono::milliseconds kMaxRetry{30000};

}  // namespace

StatusOr<std::unique_ptr<FolderSource>> FolderSource::Start(FolderSourceOptions options) {
  if (options.root.empty()) return InvalidArgumentError("folder source: no folder given");
  std::error_code ec;
  std::filesystem::create_directories(options.root, ec);
  if (ec) return FailedPreconditionError("cannot create " + options.root.string() + ": " + ec.message());
  MOOR_ASSIGN_OR_RETURN(std::unique_ptr<InotifyWatcher> watcher, InotifyWatcher::Create(options.root));
  return Start(std::move(options), std::move(watcher));
}

StatusOr<std::unique_ptr<FolderSource>> FolderSource::Start(FolderSourceOptions options,
                                                            std::unique_ptr<FileWatcher> watcher) {
  if (options.store == nullptr) return InvalidArgumentError("folder source: no store given");
  if (watcher == nullptr) return InvalidArgumentError("folder source: no watcher given");
  std::error_code ec;
  std::filesystem::create_directories(options.root, ec);
  if (ec) return FailedPreconditionError("cannot create " + options.root.string() + ": " + ec.message());
  if (options.clock == nullptr) options.clock = &SystemClock();
  std::unique_ptr<FolderSource> source(new FolderSource(std::move(options), std::move(watcher)));
  // The watcher already runs, so nothing written during the initial sync is missed.
  MonoTime started = source->clock_->Monotonic();
  MOOR_RETURN_IF_ERROR(source->sync_->SyncAll());
  LogInfo("folder source started",
          {{"source", source->options_.source_name},
           {"folder", source->options_.root.string()},
           {"initial_sync_ms", std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  source->clock_->Monotonic() - started)
                                                  .count())}});
  // The first resync is due one interval after the initial sync, fixed before the thread runs.
  MonoTime first_resync = source->clock_->Monotonic() + source->options_.resync_interval;
  source->thread_ = std::thread([s = source.get(), first_resync] { s->Run(first_resync); });
  return source;
}

FolderSource::FolderSource(FolderSourceOptions options, std::unique_ptr<FileWatcher> watcher)
    : options_(std::move(options)),
      clock_(options_.clock),
      watcher_(std::move(watcher)),
      sync_(std::make_unique<FolderSync>(options_)) {}

FolderSource::~FolderSource() { Stop(); }

Status FolderSource::SyncAll() { return sync_->SyncAll(); }

void FolderSource::Stop() {
  stopping_.store(true);
  watcher_->Wake();
  if (thread_.joinable()) thread_.join();
}

void FolderSource::Run(MonoTime first_resync) {
  std::set<std::string> pending;
  std::set<std::string> settling;  // pending files created and not yet closed by their writer
  bool rescan = false;
  MonoTime first_event{};
  MonoTime last_event{};
  MonoTime next_resync = first_resync;
  MonoTime retry_at{};
  std::chrono::milliseconds retry_delay{0};
  // Counts a sync; a failed one schedules a full rescan after a doubling delay (nothing of the
  // batch is lost: the whole folder is compared again).
  auto after_sync = [&](const Status& status) {
    if (!status.ok()) {
      rescan = true;
      retry_delay = std::min(retry_delay.count() == 0 ? kFirstRetry : retry_delay * 2, kMaxRetry);
      retry_at = clock_->Monotonic() + retry_delay;
      LogError("folder sync failed; will retry",
               {{"error", status.ToString()}, {"retry_in_ms", std::to_string(retry_delay.count())}});
    }
    batches_.fetch_add(1);
  };
  while (!stopping_.load()) {
    bool have_pending = rescan || !pending.empty();
    std::chrono::milliseconds wait = kIdleWait;
    if (have_pending && clock_->Monotonic() < retry_at) {
      auto until_retry = std::chrono::duration_cast<std::chrono::milliseconds>(retry_at - clock_->Monotonic());
      wait = std::clamp(until_retry, std::chrono::milliseconds(1), kIdleWait);
    } else if (have_pending) {
      auto since_event = std::chrono::duration_cast<std::chrono::milliseconds>(clock_->Monotonic() - last_event);
      wait = std::clamp(options_.debounce - since_event, std::chrono::milliseconds(1), options_.debounce);
    } else {
      auto until_resync = std::chrono::duration_cast<std::chrono::milliseconds>(next_resync - clock_->Monotonic());
      wait = std::clamp(until_resync, std::chrono::milliseconds(0), kIdleWait);
    }
    StatusOr<WatchEvents> events = watcher_->Poll(wait);
    if (stopping_.load()) break;
    bool quiet = true;
    if (!events.ok()) {
      LogError("folder watch failed; relying on periodic resync", {{"error", events.status().ToString()}});
      rescan = true;
    } else if (!events->empty()) {
      quiet = false;
      last_event = clock_->Monotonic();
      if (!have_pending) first_event = clock_->Monotonic();
      rescan = rescan || events->rescan;
      pending.insert(events->paths.begin(), events->paths.end());
      for (const std::string& path : events->paths) {
        if (events->settling.count(path)) settling.insert(path);
        else settling.erase(path);
      }
    }
    have_pending = rescan || !pending.empty();
    // Debounce: process once no event came for `debounce`, or the batch is getting old — or at
    // once when every pending file is known complete (closed after writing, moved in, deleted):
    // a file saved by an editor or `cp` runs without waiting out the debounce.
    bool settled = !rescan && settling.empty();
    // Quiet means a whole debounce without events (a Poll can also return early: Wake(), or
    // events only for ignored names).
    quiet = quiet && clock_->Monotonic() - last_event >= options_.debounce;
    bool due = quiet || settled || clock_->Monotonic() - first_event >= kMaxBatchDelay;
    if (have_pending && due && clock_->Monotonic() >= retry_at) {
      Status status = rescan ? sync_->SyncAll() : sync_->SyncPaths(pending);
      pending.clear();
      settling.clear();
      if (status.ok()) {
        rescan = false;
        retry_delay = std::chrono::milliseconds(0);
      }
      after_sync(status);
    }
    // Keep the store feed's backlog small; a file that waited for an object being deleted to be
    // gone is retried at once when it is.
    if (!have_pending && sync_->DrainStoreChanges()) after_sync(sync_->SyncPaths({}));
    if (clock_->Monotonic() >= next_resync) {
      Status status = sync_->SyncAll();
      if (!status.ok()) LogError("folder resync failed", {{"error", status.ToString()}});
      next_resync = clock_->Monotonic() + options_.resync_interval;
      batches_.fetch_add(1);
    }
  }
}

}  // namespace moor::reconciler
