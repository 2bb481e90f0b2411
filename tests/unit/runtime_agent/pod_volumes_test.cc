#include "pod_volumes.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "moor/testing/temp_dir.h"

namespace moor::runtime {
namespace {

namespace fs = std::filesystem;
using Files = std::map<std::string, std::pair<std::string, int>>;

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int ModeOf(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 07777);
}

// The "..data-*" version directories in `dir`.
std::set<std::string> Versions(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.rfind("..data-", 0) == 0) out.insert(name);
  }
  return out;
}

// The visible (not "..") names in `dir`.
std::set<std::string> Visible(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.rfind("..", 0) != 0) out.insert(name);
  }
  return out;
}

TEST(WriteAtomicVolumeTest, LayoutUpdatesAndRemovals) {
  testing::TempDir tmp("atomic-volume");
  const fs::path dir = tmp / "vol";

  auto wrote = WriteAtomicVolume(dir.string(), Files{{"a.txt", {"one", 0644}}, {"conf/b.ini", {"two", 0600}}});
  ASSERT_TRUE(wrote.ok()) << wrote.status().ToString();
  EXPECT_TRUE(*wrote);
  ASSERT_TRUE(fs::is_symlink(dir / "..data"));
  const fs::path first = fs::read_symlink(dir / "..data");
  EXPECT_EQ(first.string().rfind("..data-", 0), 0u) << first;
  EXPECT_EQ(Versions(dir), std::set<std::string>{first.string()});
  EXPECT_EQ(Visible(dir), (std::set<std::string>{"a.txt", "conf"}));
  EXPECT_TRUE(fs::is_symlink(dir / "a.txt"));
  EXPECT_EQ(fs::read_symlink(dir / "a.txt"), fs::path("..data/a.txt"));
  EXPECT_EQ(fs::read_symlink(dir / "conf"), fs::path("..data/conf"));
  EXPECT_EQ(Read(dir / "a.txt"), "one");
  EXPECT_EQ(Read(dir / "conf/b.ini"), "two");
  EXPECT_EQ(ModeOf(dir / "a.txt"), 0644);
  EXPECT_EQ(ModeOf(dir / "conf/b.ini"), 0600);

  // Unchanged: nothing is written.
  wrote = WriteAtomicVolume(dir.string(), Files{{"a.txt", {"one", 0644}}, {"conf/b.ini", {"two", 0600}}});
  ASSERT_TRUE(wrote.ok()) << wrote.status().ToString();
  EXPECT_FALSE(*wrote);
  EXPECT_EQ(fs::read_symlink(dir / "..data"), first);

  // Changed content: a new version behind ..data, the old one removed.
  wrote = WriteAtomicVolume(dir.string(), Files{{"a.txt", {"uno", 0644}}, {"conf/b.ini", {"two", 0600}}});
  ASSERT_TRUE(wrote.ok()) << wrote.status().ToString();
  EXPECT_TRUE(*wrote);
  const fs::path second = fs::read_symlink(dir / "..data");
  EXPECT_NE(second, first);
  EXPECT_EQ(Versions(dir), std::set<std::string>{second.string()});
  EXPECT_EQ(Read(dir / "a.txt"), "uno");
  EXPECT_EQ(Read(dir / "conf/b.ini"), "two");

  // Changed mode alone is a change.
  wrote = WriteAtomicVolume(dir.string(), Files{{"a.txt", {"uno", 0400}}, {"conf/b.ini", {"two", 0600}}});
  ASSERT_TRUE(wrote.ok()) << wrote.status().ToString();
  EXPECT_TRUE(*wrote);
  EXPECT_EQ(ModeOf(dir / "a.txt"), 0400);

  // A removed key vanishes; a new one appears.
  wrote = WriteAtomicVolume(dir.string(), Files{{"a.txt", {"uno", 0400}}, {"c", {"three", 0644}}});
  ASSERT_TRUE(wrote.ok()) << wrote.status().ToString();
  EXPECT_TRUE(*wrote);
  EXPECT_EQ(Visible(dir), (std::set<std::string>{"a.txt", "c"}));
  EXPECT_FALSE(fs::exists(dir / "conf"));
  EXPECT_FALSE(fs::is_symlink(dir / "conf"));
  EXPECT_EQ(Read(dir / "c"), "three");
  EXPECT_EQ(Versions(dir).size(), 1u);

  // Everything removed: an empty volume.
  wrote = WriteAtomicVolume(dir.string(), Files{});
  ASSERT_TRUE(wrote.ok()) << wrote.status().ToString();
  EXPECT_TRUE(*wrote);
  EXPECT_TRUE(Visible(dir).empty());
  wrote = WriteAtomicVolume(dir.string(), Files{});
  ASSERT_TRUE(wrote.ok());
  EXPECT_FALSE(*wrote);
}

TEST(WriteAtomicVolumeTest, FilesOpenedBeforeAnUpdateKeepTheirContent) {
  testing::TempDir tmp("atomic-volume");
  const fs::path dir = tmp / "vol";
  ASSERT_TRUE(WriteAtomicVolume(dir.string(), Files{{"k", {"old", 0644}}}).ok());
  std::ifstream held(dir / "k");
  ASSERT_TRUE(WriteAtomicVolume(dir.string(), Files{{"k", {"new", 0644}}}).ok());
  std::string content;
  std::getline(held, content);
  EXPECT_EQ(content, "old");
  EXPECT_EQ(Read(dir / "k"), "new");
}

TEST(WriteAtomicVolumeTest, PathChecks) {
  struct Case {
    const char* path;
    bool ok;
  } cases[] = {
      {"plain", true},     {"a..b", true},      {"dir/file..txt", true}, {"..data", false},
      {"../escape", false}, {"a/../../b", false}, {"/abs", false},        {"", false},
      {"..hidden", false},
  };
  for (const Case& c : cases) {
    testing::TempDir tmp("atomic-volume");
    const fs::path dir = tmp / "vol";
    auto wrote = WriteAtomicVolume(dir.string(), Files{{c.path, {"x", 0644}}});
    if (c.ok) {
      ASSERT_TRUE(wrote.ok()) << c.path << ": " << wrote.status().ToString();
      EXPECT_EQ(Read(dir / c.path), "x") << c.path;
    } else {
      ASSERT_FALSE(wrote.ok()) << c.path;
      EXPECT_EQ(wrote.status().code(), StatusCode::kFailedPrecondition) << c.path;
      EXPECT_NE(wrote.status().message().find("invalid volume item path"), std::string::npos)
          << wrote.status().message();
      EXPECT_FALSE(fs::exists(tmp / "escape")) << c.path;
      EXPECT_TRUE(Versions(dir).empty()) << c.path << ": a failed write leaves a version dir behind";
    }
  }
}

class PodVolumesTest : public ::testing::Test {
 protected:
  PodVolumesTest()
      : tmp_("pod-volumes"),
        layout_((tmp_ / "pods").string(), (tmp_ / "logs").string()),
        volumes_(layout_, (tmp_ / "pvc").string()) {
    objects_[ObjectKey{"ConfigMap", "shop", "cfg"}] =
        Object::parse(R"({"kind": "ConfigMap", "data": {"a": "alpha", "b": "beta", "c": "gamma"}})");
    objects_[ObjectKey{"Secret", "shop", "creds"}] =
        Object::parse(R"({"kind": "Secret", "data": {"password": "czNjcmV0"}, "stringData": {"user": "admin"}})");
    objects_[ObjectKey{"PersistentVolumeClaim", "shop", "db"}] =
        Object::parse(R"({"kind": "PersistentVolumeClaim", "spec": {}})");
  }

  Object Pod(const std::string& volumes_json) {
    Object pod = Object::parse(R"({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web", "namespace": "shop", "uid": "uid-1"}, "spec": {"containers": []}})");
    pod["spec"]["volumes"] = Object::parse(volumes_json);
    return pod;
  }

  StatusOr<std::map<std::string, std::string>> Prepare(const std::string& volumes_json) {
    return volumes_.Prepare(Pod(volumes_json), [this](const ObjectKey& key) -> StatusOr<Object> {
      auto it = objects_.find(key);
      if (it == objects_.end()) return NotFoundError(key.ToString() + " not found");
      return it->second;
    });
  }

  std::string VolumeDir(const std::string& name) { return layout_.VolumeDir("uid-1", name); }

  testing::TempDir tmp_;
  PodLayout layout_;
  PodVolumes volumes_;
  std::map<ObjectKey, Object> objects_;
};

TEST_F(PodVolumesTest, EmptyDir) {
  auto paths = Prepare(R"([{"name": "scratch", "emptyDir": {}}])");
  ASSERT_TRUE(paths.ok()) << paths.status().ToString();
  EXPECT_EQ(*paths, (std::map<std::string, std::string>{{"scratch", VolumeDir("scratch")}}));
  EXPECT_EQ(VolumeDir("scratch"), (tmp_ / "pods/uid-1/volumes/scratch").string());
  EXPECT_TRUE(fs::is_directory(VolumeDir("scratch")));
  EXPECT_EQ(ModeOf(VolumeDir("scratch")), 0777);
  // Contents survive a second Prepare.
  testing::WriteFile(fs::path(VolumeDir("scratch")) / "keep", "me");
  ASSERT_TRUE(Prepare(R"([{"name": "scratch", "emptyDir": {}}])").ok());
  EXPECT_EQ(Read(fs::path(VolumeDir("scratch")) / "keep"), "me");
}

TEST_F(PodVolumesTest, HostPathTypes) {
  const fs::path file = tmp_ / "host/file.txt";
  const fs::path dir = tmp_ / "host/dir";
  testing::WriteFile(file, "x");
  fs::create_directories(dir);
  struct Case {
    std::string path;
    const char* type;
    const char* error;  // "" = ok
  } cases[] = {
      {(tmp_ / "host/new-dir/sub").string(), "DirectoryOrCreate", ""},
      {dir.string(), "DirectoryOrCreate", ""},
      {file.string(), "DirectoryOrCreate", "is not a directory"},
      {dir.string(), "Directory", ""},
      {(tmp_ / "host/missing").string(), "Directory", "is not a directory"},
      {file.string(), "File", ""},
      {dir.string(), "File", "is not a file"},
      {(tmp_ / "host/missing.txt").string(), "File", "is not a file"},
      {(tmp_ / "host/new/created.txt").string(), "FileOrCreate", ""},
      {file.string(), "FileOrCreate", ""},
      {dir.string(), "FileOrCreate", "is not a file"},
      {file.string(), "Socket", "is not a socket"},
      {file.string(), "CharDevice", "is not a character device"},
      {"/dev/null", "CharDevice", ""},
      {file.string(), "BlockDevice", "is not a block device"},
      {(tmp_ / "host/anything").string(), "", ""},
      {file.string(), "Sideways", "hostPath type Sideways is not supported"},
  };
  for (const Case& c : cases) {
    Object volume = {{"name", "h"}, {"hostPath", {{"path", c.path}}}};
    if (std::string(c.type).size() > 0) volume["hostPath"]["type"] = c.type;
    auto paths = Prepare(Object::array({volume}).dump());
    if (std::string(c.error).empty()) {
      ASSERT_TRUE(paths.ok()) << c.type << " " << c.path << ": " << paths.status().ToString();
      EXPECT_EQ(paths->at("h"), c.path);
    } else {
      ASSERT_FALSE(paths.ok()) << c.type << " " << c.path;
      EXPECT_EQ(paths.status().code(), StatusCode::kFailedPrecondition);
      EXPECT_NE(paths.status().message().find(c.error), std::string::npos) << paths.status().message();
    }
  }
  EXPECT_TRUE(fs::is_directory(tmp_ / "host/new-dir/sub"));
  EXPECT_TRUE(fs::is_regular_file(tmp_ / "host/new/created.txt"));
  EXPECT_EQ(Read(file), "x");  // FileOrCreate leaves an existing file alone
  EXPECT_FALSE(fs::exists(tmp_ / "host/anything"));  // no type: no check, nothing created
}

TEST_F(PodVolumesTest, ConfigMapWithItemsAndModes) {
  // defaultMode 0440 (288), item mode 0400 (256).
  const char* volumes = R"([{"name": "cfg", "configMap": {"name": "cfg", "defaultMode": 288,
      "items": [{"key": "a", "path": "conf/a.txt"}, {"key": "b", "path": "b.txt", "mode": 256}]}}])";
  auto paths = Prepare(volumes);
  ASSERT_TRUE(paths.ok()) << paths.status().ToString();
  const fs::path dir = VolumeDir("cfg");
  EXPECT_EQ(paths->at("cfg"), dir.string());
  EXPECT_EQ(Visible(dir), (std::set<std::string>{"conf", "b.txt"}));  // c is not selected
  EXPECT_EQ(Read(dir / "conf/a.txt"), "alpha");
  EXPECT_EQ(Read(dir / "b.txt"), "beta");
  EXPECT_EQ(ModeOf(dir / "conf/a.txt"), 0440);
  EXPECT_EQ(ModeOf(dir / "b.txt"), 0400);

  // The source changes: the files follow.
  objects_[ObjectKey{"ConfigMap", "shop", "cfg"}]["data"]["a"] = "ALPHA";
  ASSERT_TRUE(Prepare(volumes).ok());
  EXPECT_EQ(Read(dir / "conf/a.txt"), "ALPHA");
}

TEST_F(PodVolumesTest, ConfigMapAllKeysAndSecret) {
  auto paths = Prepare(R"([{"name": "cfg", "configMap": {"name": "cfg"}},
                           {"name": "sec", "secret": {"secretName": "creds", "defaultMode": 256}}])");
  ASSERT_TRUE(paths.ok()) << paths.status().ToString();
  const fs::path cfg = VolumeDir("cfg");
  EXPECT_EQ(Visible(cfg), (std::set<std::string>{"a", "b", "c"}));
  EXPECT_EQ(ModeOf(cfg / "a"), 0644);
  const fs::path sec = VolumeDir("sec");
  EXPECT_EQ(paths->at("sec"), sec.string());
  EXPECT_EQ(Read(sec / "password"), "s3cret");
  EXPECT_EQ(Read(sec / "user"), "admin");
  EXPECT_EQ(ModeOf(sec / "password"), 0400);
}

TEST_F(PodVolumesTest, Errors) {
  struct Case {
    const char* volumes;
    const char* error;
  } cases[] = {
      {R"([{"name": "v", "configMap": {"name": "nope"}}])", "configmap \"nope\" not found"},
      {R"([{"name": "v", "secret": {"secretName": "nope"}}])", "secret \"nope\" not found"},
      {R"([{"name": "v", "configMap": {"name": "cfg", "items": [{"key": "zz", "path": "z"}]}}])",
       "couldn't find key zz in ConfigMap shop/cfg"},
      {R"([{"name": "v", "secret": {"secretName": "creds", "items": [{"key": "zz", "path": "z"}]}}])",
       "couldn't find key zz in Secret shop/creds"},
      {R"([{"name": "v", "persistentVolumeClaim": {"claimName": "nope"}}])",
       "persistentvolumeclaim \"nope\" not found"},
      {R"([{"name": "v", "nfs": {"server": "192.0.2.1", "path": "/"}}])",
       "volume v: volume type nfs is not supported by moor yet"},
  };
  for (const Case& c : cases) {
    auto paths = Prepare(c.volumes);
    ASSERT_FALSE(paths.ok()) << c.volumes;
    EXPECT_EQ(paths.status().code(), StatusCode::kFailedPrecondition) << c.volumes;
    EXPECT_EQ(paths.status().message(), c.error);
  }
}

TEST_F(PodVolumesTest, OptionalMissingSourceIsEmpty) {
  auto paths = Prepare(R"([{"name": "v", "configMap": {"name": "nope", "optional": true}}])");
  ASSERT_TRUE(paths.ok()) << paths.status().ToString();
  EXPECT_TRUE(fs::is_directory(paths->at("v")));
  EXPECT_TRUE(Visible(paths->at("v")).empty());
}

TEST_F(PodVolumesTest, PersistentVolumeClaimAndRemove) {
  const char* volumes = R"([{"name": "data", "persistentVolumeClaim": {"claimName": "db"}},
                            {"name": "scratch", "emptyDir": {}},
                            {"name": "cfg", "configMap": {"name": "cfg"}}])";
  auto paths = Prepare(volumes);
  ASSERT_TRUE(paths.ok()) << paths.status().ToString();
  const fs::path claim = tmp_ / "pvc/shop/db";
  EXPECT_EQ(paths->at("data"), claim.string());
  EXPECT_TRUE(fs::is_directory(claim));
  testing::WriteFile(claim / "rows", "42");

  ASSERT_TRUE(volumes_.Remove("uid-1").ok());
  EXPECT_FALSE(fs::exists(tmp_ / "pods/uid-1/volumes"));
  EXPECT_EQ(Read(claim / "rows"), "42");  // claim data outlives the pod
  // Removing again is fine.
  EXPECT_TRUE(volumes_.Remove("uid-1").ok());
  // A new pod with the same claim sees the data.
  paths = Prepare(volumes);
  ASSERT_TRUE(paths.ok()) << paths.status().ToString();
  EXPECT_EQ(Read(fs::path(paths->at("data")) / "rows"), "42");
}

TEST_F(PodVolumesTest, NoVolumes) {
  Object pod = Pod("[]");
  pod["spec"].erase("volumes");
  auto paths = volumes_.Prepare(pod, [](const ObjectKey&) -> StatusOr<Object> { return NotFoundError("none"); });
  ASSERT_TRUE(paths.ok());
  EXPECT_TRUE(paths->empty());
}

}  // namespace
}  // namespace moor::runtime
