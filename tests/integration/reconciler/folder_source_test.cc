// The folder source on real parts: real inotify on a temp folder, a real SqliteStore file.
// Every wait is bounded polling for a condition; nothing asserts on time.
#include "moor/reconciler/folder_source.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "moor/reconciler/file_watcher.h"
#include "moor/store/sqlite_store.h"
#include "moor/testing/fake_clock.h"
#include "moor/testing/fault_injecting_store.h"
#include "moor/testing/process.h"
#include "moor/testing/temp_dir.h"

namespace moor::reconciler {
namespace {

namespace fs = std::filesystem;
using moor::testing::TempDir;
using moor::testing::WaitFor;
using moor::testing::WriteFile;
using manifests::ObjectKey;

std::string ConfigMapYaml(const std::string& name, const std::string& value) {
  return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\ndata:\n  k: \"" + value + "\"\n";
}

std::string DeploymentYaml(const std::string& name, int replicas) {
  return "apiVersion: apps/v1\n"
         "kind: Deployment\n"
         "metadata:\n"
         "  name: " + name + "\n"
         "spec:\n"
         "  replicas: " + std::to_string(replicas) + "\n"
         "  selector:\n"
         "    matchLabels:\n"
         "      app: " + name + "\n"
         "  template:\n"
         "    metadata:\n"
         "      labels:\n"
         "        app: " + name + "\n"
         "    spec:\n"
         "      containers:\n"
         "      - name: web\n"
         "        image: busybox\n";
}

// Line 8 holds the bad value: containerPort must be an integer.
std::string BrokenPodYaml(const std::string& name) {
  return "apiVersion: v1\n"
         "kind: Pod\n"
         "metadata:\n"
         "  name: " + name + "\n"
         "spec:\n"
         "  containers:\n"
         "  - name: web\n"
         "    image: busybox\n"
         "    ports:\n"
         "    - containerPort: http\n";
}

std::string Docs(std::initializer_list<std::string> docs) {
  std::string out;
  for (const std::string& d : docs) out += "---\n" + d;
  return out;
}

ObjectKey Cm(const std::string& name) { return ObjectKey{"ConfigMap", "default", name}; }

class FolderSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::SqliteStoreOptions store_options;
    store_options.path = dir_ / "state.db";
    auto store = store::OpenSqliteStore(store_options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  void TearDown() override {
    source_.reset();  // stop the thread before the store goes
    store_.reset();
  }

  FolderSourceOptions Options() {
    FolderSourceOptions options;
    options.root = root_;
    options.store = store_.get();
    options.debounce = std::chrono::milliseconds(50);
    return options;
  }

  void StartSource() {
    auto source = FolderSource::Start(Options());
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    source_ = std::move(*source);
  }

  std::optional<store::Record> Get(const ObjectKey& key) {
    auto record = store_->Get(key);
    if (!record.ok()) return std::nullopt;
    return *record;
  }

  bool Exists(const ObjectKey& key) { return Get(key).has_value(); }

  std::string Uid(const ObjectKey& key) {
    auto r = Get(key);
    return r ? r->object["metadata"].value("uid", "") : "";
  }

  std::string Rv(const ObjectKey& key) {
    auto r = Get(key);
    return r ? r->object["metadata"].value("resourceVersion", "") : "";
  }

  std::string Data(const ObjectKey& key) {
    auto r = Get(key);
    return r ? r->object["data"].value("k", "") : "";
  }

  std::optional<store::SyncRecord> LatestRecord(const std::string& path) {
    store::SyncQuery query;
    query.source = "folder";
    query.path = path;
    auto records = store_->ListSyncRecords(query);
    if (!records.ok() || records->empty()) return std::nullopt;
    return records->front();
  }

  std::string LatestResult(const std::string& path) {
    auto record = LatestRecord(path);
    return record ? record->result : "";
  }

  std::vector<store::SyncRecord> AllRecords() {
    store::SyncQuery query;
    query.source = "folder";
    query.latest_per_path = false;
    auto records = store_->ListSyncRecords(query);
    return records.ok() ? *records : std::vector<store::SyncRecord>{};
  }

  TempDir dir_{"reconciler"};
  fs::path root_ = dir_ / "manifests";
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<FolderSource> source_;
};

TEST_F(FolderSourceTest, StartCreatesFolderAndSyncsExistingFilesBeforeReturning) {
  WriteFile(root_ / "a.yaml", Docs({ConfigMapYaml("one", "1"), ConfigMapYaml("two", "2")}));
  StartSource();
  // Synchronous initial sync: no waiting needed.
  ASSERT_TRUE(Exists(Cm("one")));
  ASSERT_TRUE(Exists(Cm("two")));
  auto record = Get(Cm("one"));
  EXPECT_EQ(record->source.source, "folder");
  EXPECT_EQ(record->source.path, "a.yaml");
  EXPECT_EQ(record->source.document, 1);
  EXPECT_EQ(Get(Cm("two"))->source.document, 2);
  EXPECT_EQ(LatestResult("a.yaml"), "Applied");

  TempDir other("reconciler-new");
  FolderSourceOptions options = Options();
  options.root = other / "does/not/exist";
  auto second = FolderSource::Start(options);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(fs::is_directory(options.root));
}

TEST_F(FolderSourceTest, NewFileIsApplied) {
  StartSource();
  WriteFile(root_ / "web.yaml", Docs({ConfigMapYaml("web", "v1"), DeploymentYaml("web", 2)}));
  ASSERT_TRUE(WaitFor([&] { return Exists(Cm("web")) && Exists({"Deployment", "default", "web"}); }));
  EXPECT_FALSE(Uid(Cm("web")).empty());
  auto deploy = Get({"Deployment", "default", "web"});
  EXPECT_EQ(deploy->object["spec"].value("replicas", 0), 2);
  // Defaults were applied on the way in.
  EXPECT_EQ(deploy->object["spec"].value("revisionHistoryLimit", 0), 10);
  ASSERT_TRUE(WaitFor([&] { return LatestResult("web.yaml") == "Applied"; }));
  auto record = LatestRecord("web.yaml");
  ASSERT_EQ(record->objects.size(), 2u);
  EXPECT_EQ(record->objects[0].action, "created");
  EXPECT_EQ(record->objects[1].action, "created");
}

TEST_F(FolderSourceTest, ACompleteFileSkipsTheDebounceAndAnOpenOneWaitsForItsClose) {
  // The clock never moves and the debounce is an hour: only the settled-file path can apply.
  testing::FakeClock frozen;
  FolderSourceOptions options = Options();
  options.clock = &frozen;
  options.debounce = std::chrono::hours(1);
  auto source = FolderSource::Start(options);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  source_ = std::move(*source);

  // Written beside and renamed in (editors, kubectl, git): complete at once.
  WriteFile(root_ / ".saved.yaml.tmp", ConfigMapYaml("saved", "1"));
  std::filesystem::rename(root_ / ".saved.yaml.tmp", root_ / "saved.yaml");
  EXPECT_TRUE(testing::WaitFor([&] { return Exists(Cm("saved")); }, std::chrono::seconds(10)));

  // Created and still open for writing: not applied until its writer closes it.
  FILE* open_file = std::fopen((root_ / "slow.yaml").c_str(), "w");
  ASSERT_NE(open_file, nullptr);
  std::string yaml = ConfigMapYaml("slow", "1");
  std::fwrite(yaml.data(), 1, yaml.size() / 2, open_file);
  std::fflush(open_file);
  // Another settled file makes the source look again; the open one must still wait.
  WriteFile(root_ / ".other.yaml.tmp", ConfigMapYaml("other", "1"));
  std::filesystem::rename(root_ / ".other.yaml.tmp", root_ / "other.yaml");
  EXPECT_FALSE(testing::WaitFor([&] { return Exists(Cm("other")); }, std::chrono::milliseconds(500)))
      << "a batch with a file still being written waits for it";
  std::fwrite(yaml.data() + yaml.size() / 2, 1, yaml.size() - yaml.size() / 2, open_file);
  std::fclose(open_file);
  EXPECT_TRUE(testing::WaitFor([&] { return Exists(Cm("slow")) && Exists(Cm("other")); }, std::chrono::seconds(10)));
}

TEST_F(FolderSourceTest, ModifyChangesOnlyTheChangedObject) {
  WriteFile(root_ / "a.yaml", Docs({DeploymentYaml("web", 1), DeploymentYaml("api", 1)}));
  StartSource();
  ObjectKey web{"Deployment", "default", "web"}, api{"Deployment", "default", "api"};
  auto web_before = *Get(web);
  auto api_before = *Get(api);

  WriteFile(root_ / "a.yaml", Docs({DeploymentYaml("web", 3), DeploymentYaml("api", 1)}));
  ASSERT_TRUE(WaitFor([&] { return Get(web)->object["spec"].value("replicas", 0) == 3; }));
  auto web_after = *Get(web);
  auto api_after = *Get(api);
  EXPECT_NE(web_after.object["metadata"]["resourceVersion"], web_before.object["metadata"]["resourceVersion"]);
  EXPECT_EQ(web_after.object["metadata"].value("generation", 0), web_before.object["metadata"].value("generation", 0) + 1);
  EXPECT_EQ(web_after.object["metadata"]["uid"], web_before.object["metadata"]["uid"]);
  EXPECT_EQ(api_after.object["metadata"]["resourceVersion"], api_before.object["metadata"]["resourceVersion"]);
  EXPECT_EQ(api_after.object["metadata"]["generation"], api_before.object["metadata"]["generation"]);
  auto record = LatestRecord("a.yaml");
  ASSERT_TRUE(record);
  ASSERT_EQ(record->objects.size(), 2u);
  EXPECT_EQ(record->objects[0].action, "updated");
  EXPECT_EQ(record->objects[1].action, "unchanged");
}

TEST_F(FolderSourceTest, AtomicRenameIntoPlaceIsOneChange) {
  WriteFile(root_ / "web.yaml", ConfigMapYaml("web", "v1"));
  StartSource();
  std::string uid = Uid(Cm("web"));
  size_t records_before = AllRecords().size();

  WriteFile(root_ / ".web.yaml.tmp", ConfigMapYaml("web", "v2"));
  fs::rename(root_ / ".web.yaml.tmp", root_ / "web.yaml");
  ASSERT_TRUE(WaitFor([&] { return Data(Cm("web")) == "v2"; }));
  EXPECT_EQ(Uid(Cm("web")), uid);
  // Exactly one more sync of web.yaml, none for the temp file.
  ASSERT_TRUE(WaitFor([&] { return AllRecords().size() == records_before + 1; }));
  for (const store::SyncRecord& r : AllRecords()) EXPECT_EQ(r.path, "web.yaml");
  EXPECT_EQ(LatestResult("web.yaml"), "Applied");
}

TEST_F(FolderSourceTest, EditorTempFilesAreIgnored) {
  StartSource();
  const std::vector<std::string> ignored = {".hidden.yaml", "web.yaml~", "web.yaml.swp", ".web.yaml.swx",
                                            ".#web.yaml",   "#web.yaml#", "4913",        "web.yaml.tmp",
                                            ".git/x.yaml"};
  for (size_t i = 0; i < ignored.size(); ++i) {
    WriteFile(root_ / ignored[i], ConfigMapYaml("ignored-" + std::to_string(i), "x"));
  }
  WriteFile(root_ / "marker.yaml", ConfigMapYaml("marker", "x"));
  ASSERT_TRUE(WaitFor([&] { return Exists(Cm("marker")); }));
  ASSERT_TRUE(source_->SyncAll().ok());
  for (size_t i = 0; i < ignored.size(); ++i) EXPECT_FALSE(Exists(Cm("ignored-" + std::to_string(i)))) << ignored[i];
  for (const store::SyncRecord& r : AllRecords()) EXPECT_EQ(r.path, "marker.yaml");
}

TEST_F(FolderSourceTest, BrokenFileNextToGoodOnes) {
  WriteFile(root_ / "good1.yaml", ConfigMapYaml("good1", "1"));
  WriteFile(root_ / "good2.yaml", ConfigMapYaml("good2", "2"));
  WriteFile(root_ / "bad.yaml", Docs({ConfigMapYaml("bad-cm", "x"), BrokenPodYaml("bad-pod")}));
  StartSource();
  EXPECT_TRUE(Exists(Cm("good1")));
  EXPECT_TRUE(Exists(Cm("good2")));
  // Nothing of the broken file, not even its valid first document.
  EXPECT_FALSE(Exists(Cm("bad-cm")));
  EXPECT_FALSE(Exists({"Pod", "default", "bad-pod"}));
  auto record = LatestRecord("bad.yaml");
  ASSERT_TRUE(record);
  EXPECT_EQ(record->result, "Failed");
  std::string errors;
  for (const std::string& e : record->errors) errors += e + "\n";
  // "bad.yaml:<line>:<col>: spec.containers[0].ports[0].containerPort: ..." (document 2, line 18 of the file).
  EXPECT_NE(errors.find("bad.yaml:18:"), std::string::npos) << errors;
  EXPECT_NE(errors.find("containerPort"), std::string::npos) << errors;

  // ... and a Warning event about the file.
  auto events = store_->List(store::ListOptions{"Event", std::nullopt, std::nullopt});
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  bool found = false;
  for (const store::Record& e : events->items) {
    if (e.object.value("reason", "") == "SyncFailed" && e.object["involvedObject"].value("name", "") == "bad.yaml") {
      found = true;
      EXPECT_EQ(e.object.value("type", ""), "Warning");
      EXPECT_EQ(e.object["involvedObject"].value("kind", ""), "ManifestFile");
      EXPECT_NE(e.object.value("message", "").find("bad.yaml:18:"), std::string::npos);
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(FolderSourceTest, PreviouslyGoodFileBecomingBrokenKeepsItsObjects) {
  WriteFile(root_ / "a.yaml", Docs({ConfigMapYaml("keep", "1"), DeploymentYaml("web", 1)}));
  StartSource();
  std::string rv_cm = Rv(Cm("keep"));
  std::string rv_deploy = Rv({"Deployment", "default", "web"});

  WriteFile(root_ / "a.yaml", Docs({ConfigMapYaml("keep", "2"), BrokenPodYaml("web-pod")}));
  ASSERT_TRUE(WaitFor([&] { return LatestResult("a.yaml") == "Failed"; }));
  EXPECT_EQ(Rv(Cm("keep")), rv_cm);
  EXPECT_EQ(Data(Cm("keep")), "1");
  EXPECT_EQ(Rv({"Deployment", "default", "web"}), rv_deploy);
  EXPECT_FALSE(Exists({"Pod", "default", "web-pod"}));

  // A resync while broken changes nothing either.
  ASSERT_TRUE(source_->SyncAll().ok());
  EXPECT_EQ(Rv(Cm("keep")), rv_cm);
  EXPECT_EQ(Rv({"Deployment", "default", "web"}), rv_deploy);

  // Fixing the file applies it again, and what it no longer declares is pruned.
  WriteFile(root_ / "a.yaml", ConfigMapYaml("keep", "3"));
  ASSERT_TRUE(WaitFor([&] { return Data(Cm("keep")) == "3"; }));
  ASSERT_TRUE(WaitFor([&] { return !Exists({"Deployment", "default", "web"}); }));
  EXPECT_EQ(LatestResult("a.yaml"), "Applied");
}

TEST_F(FolderSourceTest, DeletingAFilePrunesExactlyItsObjects) {
  WriteFile(root_ / "a.yaml", Docs({ConfigMapYaml("a1", "1"), ConfigMapYaml("a2", "1")}));
  WriteFile(root_ / "b.yaml", ConfigMapYaml("b1", "1"));
  StartSource();
  std::string rv_b = Rv(Cm("b1"));
  fs::remove(root_ / "a.yaml");
  ASSERT_TRUE(WaitFor([&] { return !Exists(Cm("a1")) && !Exists(Cm("a2")); }));
  EXPECT_EQ(Rv(Cm("b1")), rv_b);
  ASSERT_TRUE(WaitFor([&] { return LatestResult("a.yaml") == "Removed"; }));
  auto record = LatestRecord("a.yaml");
  ASSERT_EQ(record->objects.size(), 2u);
  EXPECT_EQ(record->objects[0].action, "pruned");
}

TEST_F(FolderSourceTest, MovingAnObjectBetweenFilesKeepsItsUid) {
  WriteFile(root_ / "a.yaml", Docs({ConfigMapYaml("mx", "1"), ConfigMapYaml("my", "1")}));
  WriteFile(root_ / "b.yaml", ConfigMapYaml("mz", "1"));
  StartSource();
  std::string uid = Uid(Cm("mx"));
  ASSERT_FALSE(uid.empty());

  // The new home first, then the old one lets go (the order an editor would save them in
  // does not matter: while a.yaml still declares mx, b.yaml waits in conflict).
  WriteFile(root_ / "b.yaml", Docs({ConfigMapYaml("mz", "1"), ConfigMapYaml("mx", "1")}));
  WriteFile(root_ / "a.yaml", ConfigMapYaml("my", "1"));
  ASSERT_TRUE(WaitFor([&] {
    auto moved = Get(Cm("mx"));
    return moved && moved->source.path == "b.yaml" && LatestResult("b.yaml") == "Applied";
  }));
  EXPECT_EQ(Uid(Cm("mx")), uid);
  EXPECT_TRUE(Exists(Cm("my")));
  EXPECT_TRUE(Exists(Cm("mz")));
}

TEST_F(FolderSourceTest, ConflictBetweenFilesClearsWhenTheOwnerLetsGo) {
  WriteFile(root_ / "a.yaml", ConfigMapYaml("shared", "from-a"));
  StartSource();
  WriteFile(root_ / "b.yaml", ConfigMapYaml("shared", "from-b"));
  ASSERT_TRUE(WaitFor([&] { return LatestResult("b.yaml") == "Failed"; }));
  auto record = LatestRecord("b.yaml");
  std::string errors;
  for (const std::string& e : record->errors) errors += e;
  EXPECT_NE(errors.find("a.yaml"), std::string::npos) << errors;
  EXPECT_NE(errors.find("b.yaml"), std::string::npos) << errors;
  EXPECT_EQ(Data(Cm("shared")), "from-a");
  std::string uid = Uid(Cm("shared"));

  WriteFile(root_ / "a.yaml", ConfigMapYaml("other", "1"));
  ASSERT_TRUE(WaitFor([&] { return Data(Cm("shared")) == "from-b"; }));
  EXPECT_EQ(Uid(Cm("shared")), uid);
  EXPECT_EQ(Get(Cm("shared"))->source.path, "b.yaml");
  ASSERT_TRUE(WaitFor([&] { return LatestResult("b.yaml") == "Applied"; }));
}

TEST_F(FolderSourceTest, NestedSubdirectoryCreatedAfterStart) {
  StartSource();
  fs::create_directories(root_ / "apps/prod/deep");
  WriteFile(root_ / "apps/prod/deep/web.yaml", ConfigMapYaml("deep", "1"));
  ASSERT_TRUE(WaitFor([&] { return Exists(Cm("deep")); }));
  EXPECT_EQ(Get(Cm("deep"))->source.path, "apps/prod/deep/web.yaml");
  // The new directory is watched: a later file in it is seen too.
  WriteFile(root_ / "apps/prod/deep/more.yaml", ConfigMapYaml("more", "1"));
  ASSERT_TRUE(WaitFor([&] { return Exists(Cm("more")); }));
  // Removing the directory prunes what was in it.
  fs::remove_all(root_ / "apps");
  ASSERT_TRUE(WaitFor([&] { return !Exists(Cm("deep")) && !Exists(Cm("more")); }));
}

TEST_F(FolderSourceTest, SymlinkLoopDoesNotHang) {
  WriteFile(root_ / "sub/web.yaml", ConfigMapYaml("web", "1"));
  fs::create_directory_symlink("..", root_ / "sub/loop");
  StartSource();
  EXPECT_TRUE(Exists(Cm("web")));
  EXPECT_EQ(Get(Cm("web"))->source.path, "sub/web.yaml");
  EXPECT_EQ(LatestResult("sub/web.yaml"), "Applied");
}

TEST_F(FolderSourceTest, RestartPrunesFilesDeletedWhileStopped) {
  WriteFile(root_ / "a.yaml", ConfigMapYaml("a", "1"));
  WriteFile(root_ / "b.yaml", ConfigMapYaml("b", "1"));
  StartSource();
  std::string rv_b = Rv(Cm("b"));
  source_->Stop();
  source_->Stop();  // idempotent
  source_.reset();

  fs::remove(root_ / "a.yaml");
  StartSource();
  EXPECT_FALSE(Exists(Cm("a")));
  EXPECT_EQ(Rv(Cm("b")), rv_b);
  EXPECT_EQ(LatestResult("a.yaml"), "Removed");
}

TEST_F(FolderSourceTest, ApiCreatedObjectsAreNeverPruned) {
  manifests::Object api = {{"apiVersion", "v1"},
                           {"kind", "ConfigMap"},
                           {"metadata", {{"name", "from-api"}, {"namespace", "default"}}},
                           {"data", {{"k", "api"}}}};
  ASSERT_TRUE(store_->Create(api).ok());
  WriteFile(root_ / "a.yaml", ConfigMapYaml("a", "1"));
  StartSource();
  std::string rv = Rv(Cm("from-api"));
  fs::remove(root_ / "a.yaml");
  ASSERT_TRUE(WaitFor([&] { return !Exists(Cm("a")); }));
  ASSERT_TRUE(source_->SyncAll().ok());
  source_.reset();
  StartSource();
  EXPECT_TRUE(Exists(Cm("from-api")));
  EXPECT_EQ(Rv(Cm("from-api")), rv);
  EXPECT_TRUE(Get(Cm("from-api"))->source.empty());
}

TEST_F(FolderSourceTest, FileDeclaringAnApiCreatedObjectAdoptsIt) {
  manifests::Object api = {{"apiVersion", "v1"},
                           {"kind", "ConfigMap"},
                           {"metadata", {{"name", "adopted"}, {"namespace", "default"}}},
                           {"data", {{"k", "api"}}}};
  ASSERT_TRUE(store_->Create(api).ok());
  std::string uid = Uid(Cm("adopted"));
  StartSource();
  WriteFile(root_ / "a.yaml", ConfigMapYaml("adopted", "file"));
  ASSERT_TRUE(WaitFor([&] { return Data(Cm("adopted")) == "file"; }));
  EXPECT_EQ(Uid(Cm("adopted")), uid);
  EXPECT_EQ(Get(Cm("adopted"))->source.path, "a.yaml");
}

TEST_F(FolderSourceTest, NoOpResyncChangesNoResourceVersion) {
  for (int i = 0; i < 20; ++i) {
    WriteFile(root_ / ("f" + std::to_string(i) + ".yaml"),
              Docs({ConfigMapYaml("cm" + std::to_string(i), "1"), DeploymentYaml("d" + std::to_string(i), 1)}));
  }
  StartSource();
  int64_t rv = store_->CurrentResourceVersion();
  size_t records = AllRecords().size();
  ASSERT_TRUE(source_->SyncAll().ok());
  ASSERT_TRUE(source_->SyncAll().ok());
  EXPECT_EQ(store_->CurrentResourceVersion(), rv);
  EXPECT_EQ(AllRecords().size(), records);
  // Touching files (same content) is not a change either.
  for (int i = 0; i < 20; ++i) WriteFile(root_ / ("f" + std::to_string(i) + ".yaml"),
                                         Docs({ConfigMapYaml("cm" + std::to_string(i), "1"),
                                               DeploymentYaml("d" + std::to_string(i), 1)}));
  ASSERT_TRUE(source_->SyncAll().ok());
  EXPECT_EQ(store_->CurrentResourceVersion(), rv);
}

TEST_F(FolderSourceTest, ResyncRepairsDrift) {
  WriteFile(root_ / "a.yaml", Docs({ConfigMapYaml("deleted", "1"), ConfigMapYaml("edited", "1"),
                                    ConfigMapYaml("untouched", "1")}));
  StartSource();
  std::string rv_untouched = Rv(Cm("untouched"));
  ASSERT_TRUE(store_->Delete(Cm("deleted")).ok());
  auto edited = Get(Cm("edited"));
  edited->object["data"]["k"] = "changed through the API";
  ASSERT_TRUE(store_->Update(edited->object).ok());

  ASSERT_TRUE(source_->SyncAll().ok());
  EXPECT_TRUE(Exists(Cm("deleted")));
  EXPECT_EQ(Get(Cm("deleted"))->source.path, "a.yaml");
  EXPECT_EQ(Data(Cm("edited")), "1");
  EXPECT_EQ(Rv(Cm("untouched")), rv_untouched);

  // Again, after the repair (the source follows the store's changes incrementally).
  std::string uid_before = Uid(Cm("untouched"));
  ASSERT_TRUE(store_->Delete(Cm("untouched")).ok());
  ASSERT_TRUE(source_->SyncAll().ok());
  EXPECT_TRUE(Exists(Cm("untouched")));
  EXPECT_NE(Uid(Cm("untouched")), uid_before);  // re-created: a new object
  int64_t rv = store_->CurrentResourceVersion();
  ASSERT_TRUE(source_->SyncAll().ok());
  EXPECT_EQ(store_->CurrentResourceVersion(), rv);
}

// A change feed the test drives, to check the source's handling of events apart from inotify.
class FakeWatcher final : public FileWatcher {
 public:
  void Push(WatchEvents events) {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(events));
    cv_.notify_all();
  }
  StatusOr<WatchEvents> Poll(std::chrono::milliseconds timeout) override {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return !queue_.empty() || woken_; });
    woken_ = false;
    if (queue_.empty()) return WatchEvents{};
    WatchEvents next = std::move(queue_.front());
    queue_.pop_front();
    return next;
  }
  void Wake() override {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<WatchEvents> queue_;
  bool woken_ = false;
};

TEST_F(FolderSourceTest, FakeFeedPathsAndOverflowRescan) {
  auto watcher = std::make_unique<FakeWatcher>();
  FakeWatcher* feed = watcher.get();
  auto source = FolderSource::Start(Options(), std::move(watcher));
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  source_ = std::move(*source);

  // Files appear without events: nothing happens until the feed names them.
  WriteFile(root_ / "named.yaml", ConfigMapYaml("named", "1"));
  WriteFile(root_ / "unnamed.yaml", ConfigMapYaml("unnamed", "1"));
  WatchEvents named;
  named.paths = {"named.yaml"};
  uint64_t batches = source_->BatchesProcessed();
  feed->Push(named);
  ASSERT_TRUE(WaitFor([&] { return source_->BatchesProcessed() > batches; }));
  EXPECT_TRUE(Exists(Cm("named")));
  EXPECT_FALSE(Exists(Cm("unnamed")));

  // A lost-events signal makes the source rescan everything.
  WatchEvents overflow;
  overflow.rescan = true;
  feed->Push(overflow);
  ASSERT_TRUE(WaitFor([&] { return Exists(Cm("unnamed")); }));
}

TEST_F(FolderSourceTest, PeriodicResyncRunsOnTheInjectedClock) {
  moor::testing::FakeClock clock;
  FolderSourceOptions options = Options();
  options.clock = &clock;
  options.resync_interval = std::chrono::seconds(300);
  auto source = FolderSource::Start(options, std::make_unique<FakeWatcher>());
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  source_ = std::move(*source);

  WriteFile(root_ / "late.yaml", ConfigMapYaml("late", "1"));  // no event for it
  uint64_t batches = source_->BatchesProcessed();
  clock.Advance(std::chrono::seconds(301));
  ASSERT_TRUE(WaitFor([&] { return source_->BatchesProcessed() > batches; }));
  EXPECT_TRUE(Exists(Cm("late")));
}

}  // namespace
}  // namespace moor::reconciler

namespace moor::reconciler {
namespace {

// A batch that fails on a store error that may pass is retried (with backoff) until it
// applies, long before the periodic resync would have repaired it.
TEST(FolderSourceRetryTest, AFailedBatchIsRetriedUntilItApplies) {
  TempDir dir("reconciler-retry");
  store::SqliteStoreOptions store_options;
  store_options.path = dir / "state.db";
  auto real = store::OpenSqliteStore(store_options);
  ASSERT_TRUE(real.ok()) << real.status().ToString();
  moor::testing::FaultInjectingStore faulty(**real);

  FolderSourceOptions options;
  options.root = dir / "manifests";
  options.store = &faulty;
  options.debounce = std::chrono::milliseconds(50);
  options.resync_interval = std::chrono::hours(1);  // only the retry can bring the change in
  auto source = FolderSource::Start(options);
  ASSERT_TRUE(source.ok()) << source.status().ToString();

  faulty.FailWrites(true);
  WriteFile(options.root / "web.yaml", ConfigMapYaml("web", "v1"));
  ASSERT_TRUE(WaitFor([&] { return faulty.failed_writes() > 0; }));
  EXPECT_FALSE((*real)->Get(Cm("web")).ok());

  faulty.FailWrites(false);
  EXPECT_TRUE(WaitFor([&] { return (*real)->Get(Cm("web")).ok(); }, std::chrono::seconds(10)));
  (*source)->Stop();
}

// A bound pod whose file goes is deleted gracefully (Terminating: it stays until its node
// removes it). Its file coming back meanwhile fails with a clear error and nothing is lost: once
// the old pod is gone (seen on the store's feed, not at the next resync) the file is retried and
// creates the pod anew.
TEST_F(FolderSourceTest, ARemovedFilesBoundPodTerminatesAndItsReturnWaitsUntilItIsGone) {
  const std::string pod_yaml =
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  nodeName: n1\n"
      "  terminationGracePeriodSeconds: 30\n  containers:\n  - name: web\n    image: busybox\n";
  const ObjectKey pod{"Pod", "default", "web"};
  auto terminating = [&] {
    auto r = Get(pod);
    return r && !manifests::StringAt(r->object, "metadata.deletionTimestamp").empty();
  };
  WriteFile(root_ / "web.yaml", Docs({pod_yaml, ConfigMapYaml("web", "1")}));
  StartSource();  // resync every 300 s: only the feed can bring the retry below
  std::string old_uid = Uid(pod);
  ASSERT_FALSE(old_uid.empty());

  fs::remove(root_ / "web.yaml");
  ASSERT_TRUE(WaitFor([&] { return LatestResult("web.yaml") == "Removed"; }));
  EXPECT_TRUE(terminating()) << "the bound pod should be Terminating, not gone";
  EXPECT_FALSE(Exists(Cm("web")));

  WriteFile(root_ / "web.yaml", Docs({pod_yaml, ConfigMapYaml("web", "2")}));
  ASSERT_TRUE(WaitFor([&] { return LatestResult("web.yaml") == "Failed"; }));
  auto failed = LatestRecord("web.yaml");
  std::string errors;
  for (const std::string& e : failed->errors) errors += e + "\n";
  EXPECT_NE(errors.find("Pod/default/web is being deleted (Terminating); web.yaml creates it again once it is gone"),
            std::string::npos)
      << errors;
  EXPECT_EQ(Uid(pod), old_uid);
  EXPECT_TRUE(terminating());

  // The node removes the old pod (grace 0, its uid): the file is applied again at once.
  store::DeleteOptions node_delete;
  node_delete.grace_period_seconds = 0;
  node_delete.precondition_uid = old_uid;
  ASSERT_TRUE(store_->Delete(pod, node_delete).ok());
  ASSERT_TRUE(WaitFor([&] { return Exists(pod) && Uid(pod) != old_uid; })) << "the pod was not created again";
  EXPECT_FALSE(terminating());
  EXPECT_EQ(Data(Cm("web")), "2");
  EXPECT_TRUE(WaitFor([&] { return LatestResult("web.yaml") == "Applied"; }));
}

}  // namespace
}  // namespace moor::reconciler
