// bench/sync_folder: how fast the watched folder reaches the store.
//
// For N objects (default 1,000 and 10,000; 10 per file) it measures, in one run:
//   floor         yaml-cpp alone parsing the same files (YAML::LoadAllFromFile), the anchor;
//   initial sync  FolderSource::Start on an empty SqliteStore: parse, validate, default and
//                 commit every file (Start returns once everything is applied);
//   no-op resync  SyncAll() with nothing changed;
//   server RSS    peak RSS (VmHWM) of a real `moor server` that has synced the same folder
//                 (when the path of the moor binary is given as the first argument).
// and prints each time with its ratio to the floor, next to the targets
// (1,000 objects synced in <= 1 s; no-op resync of 10,000 objects <= 200 ms).
#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <yaml-cpp/yaml.h>

#include "moor/common/log.h"
#include "moor/reconciler/folder_source.h"
#include "moor/store/sqlite_store.h"
#include "moor/testing/process.h"
#include "moor/testing/temp_dir.h"

namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string Objects(int file, int per_file) {
  std::string out;
  for (int i = 0; i < per_file; ++i) {
    std::string name = "app-" + std::to_string(file) + "-" + std::to_string(i);
    switch (i % 3) {
      case 0:
        out += "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + name + "\n  labels: {app: " + name +
               "}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: " + name +
               "}\n  template:\n    metadata:\n      labels: {app: " + name +
               "}\n    spec:\n      containers:\n      - name: web\n        image: busybox:1.36\n"
               "        ports:\n        - containerPort: 8000\n        resources:\n          requests: {cpu: 50m, "
               "memory: 16Mi}\n";
        break;
      case 1:
        out += "apiVersion: v1\nkind: Service\nmetadata:\n  name: " + name + "\nspec:\n  selector: {app: " + name +
               "}\n  ports:\n  - port: 80\n    targetPort: 8000\n";
        break;
      default:
        out += "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name +
               "\ndata:\n  settings.conf: |\n    level=info\n    color=blue\n";
    }
    out += "---\n";
  }
  return out;
}

long VmHwmKb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

bool LogSays(const std::filesystem::path& log, const std::string& text) {
  std::ifstream in(log);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return all.find(text) != std::string::npos;
}

int Run(int objects, const char* moor_binary) {
  const int per_file = 10;
  const int files = objects / per_file;
  moor::testing::TempDir dir("bench-sync");
  std::filesystem::path folder = dir / "manifests";
  for (int f = 0; f < files; ++f) moor::testing::WriteFile(folder / ("app-" + std::to_string(f) + ".yaml"), Objects(f, per_file));

  // Anchor: yaml-cpp parsing the same files (page cache warm for everyone: read once first).
  for (const auto& e : std::filesystem::directory_iterator(folder)) YAML::LoadAllFromFile(e.path().string());
  auto t0 = Clock::now();
  std::size_t docs = 0;
  for (const auto& e : std::filesystem::directory_iterator(folder)) docs += YAML::LoadAllFromFile(e.path().string()).size();
  double floor_ms = Ms(Clock::now() - t0);

  auto store = moor::store::OpenSqliteStore({.path = dir / "state.db"});
  if (!store.ok()) {
    std::fprintf(stderr, "open store: %s\n", store.status().ToString().c_str());
    return 1;
  }
  moor::reconciler::FolderSourceOptions options;
  options.root = folder;
  options.store = store->get();
  auto t1 = Clock::now();
  auto source = moor::reconciler::FolderSource::Start(options);
  double sync_ms = Ms(Clock::now() - t1);
  if (!source.ok()) {
    std::fprintf(stderr, "start: %s\n", source.status().ToString().c_str());
    return 1;
  }
  moor::store::ListOptions configmaps;
  configmaps.kind = "ConfigMap";
  auto listed = (*store)->List(configmaps);
  auto t2 = Clock::now();
  moor::Status resync = (*source)->SyncAll();
  double noop_ms = Ms(Clock::now() - t2);
  if (!resync.ok()) {
    std::fprintf(stderr, "resync: %s\n", resync.ToString().c_str());
    return 1;
  }
  auto after = (*store)->List(configmaps);
  bool untouched = listed.ok() && after.ok() && listed->resource_version == after->resource_version;
  (*source)->Stop();

  std::printf("sync_folder objects=%d files=%d documents_parsed_by_floor=%zu\n", objects, files, docs);
  std::printf("  floor (yaml-cpp parse only)   %9.1f ms\n", floor_ms);
  std::printf("  initial sync (start->synced)  %9.1f ms   ratio %.2fx floor\n", sync_ms, sync_ms / floor_ms);
  std::printf("  no-op resync                  %9.1f ms   ratio %.2fx floor   store untouched: %s\n", noop_ms,
              noop_ms / floor_ms, untouched ? "yes" : "NO");
  if (objects == 1000) std::printf("  target: initial sync of 1,000 objects <= 1000 ms: %s\n", sync_ms <= 1000 ? "met" : "MISSED");
  if (objects == 10000) std::printf("  target: no-op resync of 10,000 objects <= 200 ms: %s\n", noop_ms <= 200 ? "met" : "MISSED");

  if (moor_binary != nullptr) {
    std::filesystem::path log = dir / "server.log";
    int port = moor::testing::FreeLoopbackPort();
    auto t3 = Clock::now();
    moor::testing::ChildProcess server({moor_binary, "server", "--data-dir", (dir / "server-data").string(),
                                        "--manifests", folder.string(), "--listen",
                                        "127.0.0.1:" + std::to_string(port), "--disable-agent"},
                                       log.string());
    bool ready = moor::testing::WaitFor([&] { return LogSays(log, "moor server ready"); }, std::chrono::seconds(120));
    double server_ms = Ms(Clock::now() - t3);
    long rss_kb = VmHwmKb(server.pid());
    server.Stop(SIGTERM);
    if (!ready) {
      std::fprintf(stderr, "moor server did not become ready; log in %s\n", log.c_str());
      return 1;
    }
    std::printf("  moor server: start to ready (all synced) %9.1f ms, peak RSS %.1f MiB\n", server_ms, rss_kb / 1024.0);
  }
  return untouched ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  moor::SetLogLevel(moor::LogLevel::kWarn);
  const char* moor_binary = argc > 1 ? argv[1] : nullptr;
  int rc = 0;
  for (int n : {1000, 10000}) rc |= Run(n, moor_binary);
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("bench process peak RSS %.1f MiB\n", ru.ru_maxrss / 1024.0);
  return rc;
}
