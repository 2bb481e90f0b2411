// The watched folder and namespace deletion on real parts (real inotify on a temp folder, a real
// SqliteStore file, the real namespace controller): removing the file that declares a Namespace
// deletes it as `kubectl delete ns` does — it is Terminating, and what other files declare in it
// goes too. A file applied meanwhile fails with an error naming it and the namespace; once the
// namespace is gone (seen on the store's feed) the file is retried at once. The node agent's
// last step for a bound pod (removing it with grace 0) is done by the test.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "moor/reconciler/folder_source.h"
#include "moor/reconciler/namespace_controller.h"
#include "moor/store/sqlite_store.h"
#include "moor/testing/process.h"
#include "moor/testing/temp_dir.h"

namespace moor::reconciler {
namespace {

namespace fs = std::filesystem;
using manifests::ObjectKey;
using moor::testing::TempDir;
using moor::testing::WaitFor;
using moor::testing::WriteFile;

const ObjectKey kNs{"Namespace", "", "shop"};
const ObjectKey kConfigMap{"ConfigMap", "shop", "settings"};
const ObjectKey kPod{"Pod", "shop", "web"};

const char kNamespaceYaml[] = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n";

std::string AppYaml(const std::string& value) {
  return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata:\n  k: \"" + value +
         "\"\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  nodeName: n1\n"
         "  containers:\n  - name: web\n    image: busybox\n";
}

class NamespaceFolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::SqliteStoreOptions store_options;
    store_options.path = dir_ / "state.db";
    auto store = store::OpenSqliteStore(store_options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    NamespaceControllerOptions controller_options;
    controller_options.store = store_.get();
    auto controller = NamespaceController::Start(controller_options);
    ASSERT_TRUE(controller.ok()) << controller.status().ToString();
    controller_ = std::move(*controller);
  }

  void TearDown() override {
    source_.reset();  // threads stop before the store goes
    controller_.reset();
    store_.reset();
  }

  void StartSource() {
    FolderSourceOptions options;
    options.root = root_;
    options.store = store_.get();
    options.debounce = std::chrono::milliseconds(50);
    options.resync_interval = std::chrono::hours(1);  // only file events and the feed drive syncs
    auto source = FolderSource::Start(options);
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    source_ = std::move(*source);
  }

  bool Exists(const ObjectKey& key) { return store_->Get(key).ok(); }
  bool Gone(const ObjectKey& key) { return store_->Get(key).status().code() == StatusCode::kNotFound; }
  bool Terminating(const ObjectKey& key) {
    auto got = store_->Get(key);
    return got.ok() && !manifests::StringAt(got->object, "metadata.deletionTimestamp").empty();
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

  TempDir dir_{"nsfolder"};
  fs::path root_ = dir_ / "manifests";
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<NamespaceController> controller_;
  std::unique_ptr<FolderSource> source_;
};

TEST_F(NamespaceFolderTest, RemovingTheNamespaceFileDeletesWhatIsInItAndOtherFilesWaitForItToGo) {
  WriteFile(root_ / "ns.yaml", kNamespaceYaml);
  WriteFile(root_ / "app.yaml", AppYaml("1"));
  StartSource();
  ASSERT_TRUE(Exists(kNs) && Exists(kConfigMap) && Exists(kPod));

  fs::remove(root_ / "ns.yaml");
  ASSERT_TRUE(WaitFor([&] { return LatestResult("ns.yaml") == "Removed"; }));
  // What app.yaml declares in it goes too: the ConfigMap at once, the bound pod through its node.
  ASSERT_TRUE(WaitFor([&] { return Gone(kConfigMap) && Terminating(kPod); }));
  EXPECT_TRUE(Terminating(kNs));

  // app.yaml changed meanwhile: it fails with an error naming it and the namespace.
  WriteFile(root_ / "app.yaml", AppYaml("2"));
  ASSERT_TRUE(WaitFor([&] { return LatestResult("app.yaml") == "Failed"; }));
  auto failed = LatestRecord("app.yaml");
  ASSERT_TRUE(failed.has_value());
  std::string errors;
  for (const std::string& e : failed->errors) errors += e + "\n";
  EXPECT_NE(errors.find("ConfigMap/shop/settings cannot be applied: namespace shop is being terminated (unable to "
                        "create new content in namespace shop because it is being terminated); app.yaml applies it "
                        "again once the namespace is gone"),
            std::string::npos)
      << errors;
  EXPECT_TRUE(Gone(kConfigMap));

  // The node removes the pod; the namespace goes; app.yaml is retried at once (the feed, not a
  // resync) and applies as any file declaring objects in a namespace without a Namespace object.
  store::DeleteOptions now;
  now.grace_period_seconds = 0;
  ASSERT_TRUE(store_->Delete(kPod, now).ok());
  ASSERT_TRUE(WaitFor([&] { return Gone(kNs); }));
  ASSERT_TRUE(WaitFor([&] { return LatestResult("app.yaml") == "Applied"; }));
  auto cm = store_->Get(kConfigMap);
  ASSERT_TRUE(cm.ok());
  EXPECT_EQ(manifests::StringAt(cm->object, "data.k"), "2");

  // The namespace file back: the namespace exists again.
  WriteFile(root_ / "ns.yaml", kNamespaceYaml);
  ASSERT_TRUE(WaitFor([&] { return Exists(kNs) && !Terminating(kNs); }));
}

}  // namespace
}  // namespace moor::reconciler
