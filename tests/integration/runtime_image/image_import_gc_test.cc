// Importing archives made by skopeo (docker-archive and oci-archive), and garbage collection.
#include "image_test_util.h"

namespace moor::runtime {
namespace {

using moor::testing::BuildBusyboxImageLayout;
using moor::testing::RunCommand;
using moor::testing::TempDir;
using nlohmann::json;

class ImageImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RequireRoot();
    auto layout = BuildBusyboxImageLayout(layout_, "v1");
    ASSERT_TRUE(layout.ok()) << layout.status().ToString();
    store_ = OpenStore(root_, json::object());
    ASSERT_TRUE(store_);
  }

  // skopeo copy oci:<layout>:v1 <destination>
  void Skopeo(const std::string& destination) {
    auto r = RunCommand({"skopeo", "copy", "--insecure-policy", "oci:" + layout_.string() + ":v1", destination});
    ASSERT_EQ(r.exit_code, 0) << "skopeo copy (install Debian's skopeo) failed: " << r.err;
  }

  void ExpectRunnable(const Image& image) {
    auto layers = store_->LayerPaths(image);
    ASSERT_TRUE(layers.ok()) << layers.status().ToString();
    ASSERT_EQ(layers->size(), 1u);
    EXPECT_EQ(RunInRootfs(layers->at(0), {"/bin/busybox", "cat", "/www/index.html"}), "hello from moor\n");
  }

  TempDir tmp_{"image-import"};
  std::filesystem::path layout_ = tmp_ / "layout";
  std::filesystem::path root_ = tmp_ / "store";
  std::unique_ptr<ImageStore> store_;
};

TEST_F(ImageImportTest, DockerArchiveFromSkopeo) {
  std::filesystem::path archive = tmp_ / "docker.tar";
  Skopeo("docker-archive:" + archive.string() + ":busybox-test:1");
  auto images = store_->Import(archive.string());
  ASSERT_TRUE(images.ok()) << images.status().ToString();
  ASSERT_EQ(images->size(), 1u);
  const Image& image = images->at(0);
  EXPECT_EQ(image.references, std::vector<std::string>{"docker.io/library/busybox-test:1"});
  EXPECT_EQ(image.config["config"]["Cmd"], json::array({"sh"}));
  ExpectRunnable(image);
  EXPECT_EQ(store_->Get("busybox-test:1")->id, image.id);
  EXPECT_TRUE(IsEmptyDir(root_ / "tmp"));
}

TEST_F(ImageImportTest, OciArchiveFromSkopeo) {
  // A bare tag names no repository: imported, found by id only.
  std::filesystem::path tagged = tmp_ / "tag-only.tar";
  Skopeo("oci-archive:" + tagged.string() + ":v7");
  auto bare = store_->Import(tagged.string());
  ASSERT_TRUE(bare.ok()) << bare.status().ToString();
  EXPECT_TRUE(bare->at(0).references.empty());
  EXPECT_TRUE(store_->Get(bare->at(0).id).ok());

  std::filesystem::path archive = tmp_ / "oci.tar";
  Skopeo("oci-archive:" + archive.string() + ":registry.example:5000/team/busybox:2");
  auto images = store_->Import(archive.string());
  ASSERT_TRUE(images.ok()) << images.status().ToString();
  ASSERT_EQ(images->size(), 1u);
  EXPECT_EQ(images->at(0).references, std::vector<std::string>{"registry.example:5000/team/busybox:2"});
  EXPECT_EQ(images->at(0).layers, LayoutLayers(layout_, "v1"));
  EXPECT_EQ(images->at(0).id, bare->at(0).id);  // the same image, now with a name
  ExpectRunnable(images->at(0));
}

TEST_F(ImageImportTest, BrokenArchivesAreRejected) {
  moor::testing::WriteFile(tmp_ / "junk.tar", std::string(4096, 'x'));
  EXPECT_EQ(store_->Import((tmp_ / "junk.tar").string()).status().code(), StatusCode::kInvalidArgument);

  // An OCI archive whose layer blob does not match its digest.
  std::filesystem::path dir = tmp_ / "tampered";
  std::filesystem::copy(layout_, dir, std::filesystem::copy_options::recursive);
  std::string layer = LayoutLayers(dir, "v1").at(0);
  moor::testing::WriteFile(dir / "blobs/sha256" / layer.substr(7), "not the layer");
  auto tar = RunCommand({"tar", "-C", dir.string(), "-cf", (tmp_ / "tampered.tar").string(), "."});
  ASSERT_EQ(tar.exit_code, 0) << tar.err;
  auto images = store_->Import((tmp_ / "tampered.tar").string());
  ASSERT_FALSE(images.ok());
  EXPECT_EQ(images.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(images.status().message().find(layer), std::string::npos) << images.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(root_ / "blobs/sha256" / layer.substr(7)));
  EXPECT_TRUE(IsEmptyDir(root_ / "tmp"));
  EXPECT_TRUE(store_->List()->empty());
}

class ImageGcTest : public ImageImportTest {};

TEST_F(ImageGcTest, RemovesUnreferencedImagesAndKeepsInUseOnes) {
  // Image A: the busybox layer. Image B: the same layer plus one of its own.
  std::filesystem::path a_tar = tmp_ / "a.tar";
  Skopeo("oci-archive:" + a_tar.string() + ":gc-test/a:1");
  ASSERT_TRUE(BuildBusyboxImageLayout(layout_, "v1", {{"/etc/motd", "image b\n"}}).ok());
  std::filesystem::path b_tar = tmp_ / "b.tar";
  Skopeo("oci-archive:" + b_tar.string() + ":gc-test/b:1");
  auto a = store_->Import(a_tar.string());
  auto b = store_->Import(b_tar.string());
  ASSERT_TRUE(a.ok() && b.ok()) << a.status().ToString() << b.status().ToString();
  ASSERT_EQ(b->at(0).layers.size(), 2u);
  const std::string shared = a->at(0).layers.at(0);
  const std::string own = b->at(0).layers.at(1);
  ASSERT_EQ(b->at(0).layers.at(0), shared);
  auto b_layers = store_->LayerPaths(b->at(0));
  ASSERT_TRUE(b_layers.ok());
  EXPECT_EQ(RunInRootfs(b_layers->at(1), {"/bin/sh", "-c", "true"}).substr(0, 4), "exit");  // no shell up there
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(b_layers->at(1)) / "etc/motd"));

  // Nothing unreferenced yet.
  auto none = store_->CollectGarbage({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->removed_images.empty());
  EXPECT_EQ(none->bytes_freed, 0);

  // B unreferenced: its own layer goes, the shared one stays for A.
  ASSERT_TRUE(store_->Remove("gc-test/b:1").ok());
  EXPECT_EQ(store_->Remove("gc-test/b:1").code(), StatusCode::kNotFound);
  auto report = store_->CollectGarbage({});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->removed_images, std::vector<std::string>{b->at(0).id});
  EXPECT_GT(report->bytes_freed, 0);
  EXPECT_FALSE(std::filesystem::exists(root_ / "layers/sha256" / own.substr(7)));
  EXPECT_FALSE(std::filesystem::exists(root_ / "blobs/sha256" / own.substr(7)));
  EXPECT_FALSE(std::filesystem::exists(root_ / "blobs/sha256" / b->at(0).id.substr(7)));
  EXPECT_TRUE(std::filesystem::exists(root_ / "layers/sha256" / shared.substr(7)));
  EXPECT_EQ(store_->Get(b->at(0).id).status().code(), StatusCode::kNotFound);
  ExpectRunnable(a->at(0));

  // A unreferenced (removed by id) but in use by a container: kept, layers and all.
  ASSERT_TRUE(store_->Remove(a->at(0).id.substr(7, 12)).ok());
  auto kept = store_->CollectGarbage({a->at(0).id});
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(kept->removed_images.empty());
  ExpectRunnable(a->at(0));
  EXPECT_TRUE(store_->Get(a->at(0).id).ok());
  EXPECT_TRUE(store_->Get(a->at(0).id)->references.empty());

  // No longer in use: everything goes.
  auto all = store_->CollectGarbage({});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->removed_images, std::vector<std::string>{a->at(0).id});
  EXPECT_TRUE(IsEmptyDir(root_ / "layers/sha256"));
  EXPECT_TRUE(IsEmptyDir(root_ / "blobs/sha256"));
  EXPECT_TRUE(store_->List()->empty());
}

}  // namespace
}  // namespace moor::runtime
