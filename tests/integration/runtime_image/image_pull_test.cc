// Pulls from a real registry (Debian's docker-registry on 127.0.0.1): anonymous, token auth,
// basic auth, a docker.io mirror, manifest lists, corrupted blobs, layer reuse.
#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <fstream>
#include <thread>

#include "image_test_util.h"
#include "moor/runtime/image/digest.h"

namespace moor::runtime {
namespace {

using moor::testing::BuildBusyboxImageLayout;
using moor::testing::TempDir;
using moor::testing::TestRegistry;
using moor::testing::TestRegistryOptions;
using nlohmann::json;

la_ssize_t AppendToString(archive*, void* user, const void* buffer, size_t length) {
  static_cast<std::string*>(user)->append(static_cast<const char*>(buffer), length);
  return static_cast<la_ssize_t>(length);
}

// Adds `to_tag` to an OCI layout: the image `from_tag` with its first layer recompressed with
// zstd (skopeo would rather reuse the gzip blob a registry already has).
void AddZstdVariant(const std::filesystem::path& layout, const std::string& from_tag, const std::string& to_tag) {
  json index = json::parse(*ReadFileLimited(layout / "index.json", 1 << 20));
  json entry = index["manifests"][0];
  for (const json& m : index["manifests"]) {
    if (m["annotations"]["org.opencontainers.image.ref.name"] == from_tag) entry = m;
  }
  std::filesystem::path blobs = layout / "blobs/sha256";
  json manifest = json::parse(*ReadFileLimited(blobs / entry["digest"].get<std::string>().substr(7), 1 << 20));
  std::string gz_path = (blobs / manifest["layers"][0]["digest"].get<std::string>().substr(7)).string();

  archive* in = archive_read_new();
  archive_read_support_filter_all(in);
  archive_read_support_format_raw(in);
  ASSERT_EQ(archive_read_open_filename(in, gz_path.c_str(), 1 << 16), ARCHIVE_OK);
  archive_entry* header = nullptr;
  ASSERT_EQ(archive_read_next_header(in, &header), ARCHIVE_OK);
  std::string tar;
  char buf[1 << 16];
  for (la_ssize_t n; (n = archive_read_data(in, buf, sizeof(buf))) > 0;) tar.append(buf, static_cast<std::size_t>(n));
  archive_read_free(in);

  std::string zst;
  archive* out = archive_write_new();
  archive_write_set_format_raw(out);
  ASSERT_EQ(archive_write_add_filter_zstd(out), ARCHIVE_OK) << "libarchive without zstd";
  archive_write_set_bytes_in_last_block(out, 1);
  ASSERT_EQ(archive_write_open(out, &zst, nullptr, AppendToString, nullptr), ARCHIVE_OK);
  archive_entry* e = archive_entry_new();
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_pathname(e, "layer");
  archive_write_header(out, e);
  archive_write_data(out, tar.data(), tar.size());
  archive_entry_free(e);
  archive_write_close(out);
  archive_write_free(out);

  std::string zst_digest = DigestOf(zst);
  ASSERT_TRUE(WriteFileAtomic(blobs / zst_digest.substr(7), zst).ok());
  manifest["layers"][0] = {
      {"mediaType", "application/vnd.oci.image.layer.v1.tar+zstd"}, {"digest", zst_digest}, {"size", zst.size()}};
  std::string text = manifest.dump();
  ASSERT_TRUE(WriteFileAtomic(blobs / DigestOf(text).substr(7), text).ok());
  index["manifests"].push_back({{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                                {"digest", DigestOf(text)},
                                {"size", text.size()},
                                {"annotations", {{"org.opencontainers.image.ref.name", to_tag}}}});
  ASSERT_TRUE(WriteFileAtomic(layout / "index.json", index.dump()).ok());
}

class ImagePullTest : public ::testing::Test {
 protected:
  void SetUp() override { RequireRoot(); }

  // Starts a registry and pushes the busybox image to it as `repo_tag`.
  std::unique_ptr<TestRegistry> RegistryWith(const std::string& repo_tag, TestRegistryOptions options = {}) {
    auto registry = TestRegistry::Start(options);
    EXPECT_TRUE(registry.ok()) << registry.status().ToString();
    if (!registry.ok()) return nullptr;
    auto layout = BuildBusyboxImageLayout(layout_, "v1");
    EXPECT_TRUE(layout.ok()) << layout.status().ToString();
    Status pushed = (*registry)->Push(layout_, "v1", repo_tag);
    EXPECT_TRUE(pushed.ok()) << pushed.ToString();
    return std::move(*registry);
  }

  TempDir tmp_{"image-pull"};
  std::filesystem::path layout_ = tmp_ / "layout";
  std::filesystem::path root_ = tmp_ / "store";
};

TEST_F(ImagePullTest, AnonymousPullGivesARunnableRootfs) {
  auto registry = RegistryWith("busybox-test:1");
  ASSERT_TRUE(registry);
  auto store = OpenStore(root_, registry->MirrorConfig());
  ASSERT_TRUE(store);

  auto image = store->Pull(registry->host() + "/busybox-test:1", {});
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(image->references, std::vector<std::string>{registry->host() + "/busybox-test:1"});
  EXPECT_EQ(image->config["config"]["Cmd"], json::array({"sh"}));
  EXPECT_FALSE(image->config["config"].contains("Entrypoint"));
  EXPECT_EQ(image->layers, LayoutLayers(layout_, "v1"));
  EXPECT_GT(image->size, 0);
  EXPECT_TRUE(image->manifest_digest.starts_with("sha256:"));

  auto layers = store->LayerPaths(*image);
  ASSERT_TRUE(layers.ok()) << layers.status().ToString();
  ASSERT_EQ(layers->size(), 1u);
  EXPECT_EQ(RunInRootfs(layers->at(0), {"/bin/sh", "-c", "cat /www/index.html; id -u"}), "hello from moor\n0\n");
  EXPECT_TRUE(IsEmptyDir(root_ / "tmp"));

  // Stored and found again, by reference (normalized or not), id and id prefix.
  for (const std::string& name : {registry->host() + "/busybox-test:1", image->id, image->id.substr(0, 19),
                                  image->id.substr(7, 12)}) {
    auto got = store->Get(name);
    ASSERT_TRUE(got.ok()) << name << ": " << got.status().ToString();
    EXPECT_EQ(got->id, image->id);
  }
  EXPECT_EQ(store->Get(registry->host() + "/busybox-test:2").status().code(), StatusCode::kNotFound);
  auto listed = store->List();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->at(0).id, image->id);
}

TEST_F(ImagePullTest, PlainHttpOnlyWhenConfigured) {
  auto registry = RegistryWith("busybox-test:1");
  ASSERT_TRUE(registry);
  auto store = OpenStore(root_, json::object());  // no http:// endpoint for it: https, which fails
  ASSERT_TRUE(store);
  auto image = store->Pull(registry->host() + "/busybox-test:1", {});
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.status().code(), StatusCode::kUnavailable) << image.status().ToString();
  EXPECT_NE(image.status().message().find("https://" + registry->host()), std::string::npos) << image.status().ToString();
}

TEST_F(ImagePullTest, UnknownTagIsNotFoundWithTheRegistrysMessage) {
  auto registry = RegistryWith("busybox-test:1");
  ASSERT_TRUE(registry);
  auto store = OpenStore(root_, registry->MirrorConfig());
  ASSERT_TRUE(store);
  auto image = store->Pull(registry->host() + "/busybox-test:nope", {});
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.status().code(), StatusCode::kNotFound) << image.status().ToString();
  EXPECT_NE(image.status().message().find("manifest unknown"), std::string::npos) << image.status().ToString();
}

TEST_F(ImagePullTest, TokenAuth) {
  TestRegistryOptions options;
  options.auth = TestRegistryOptions::Auth::kToken;
  auto registry = RegistryWith("private/busybox:1", options);
  ASSERT_TRUE(registry);
  const std::string ref = registry->host() + "/private/busybox:1";

  // Anonymous: the token server refuses.
  auto store = OpenStore(root_, registry->MirrorConfig());
  ASSERT_TRUE(store);
  auto anonymous = store->Pull(ref, {});
  ASSERT_FALSE(anonymous.ok());
  EXPECT_EQ(anonymous.status().code(), StatusCode::kUnauthenticated) << anonymous.status().ToString();
  EXPECT_NE(anonymous.status().message().find("authentication required"), std::string::npos);

  // Wrong credentials from imagePullSecrets: the token server's own words.
  PullOptions wrong;
  wrong.credentials = {{registry->host(), options.username, "wrong-password"}};
  auto denied = store->Pull(ref, wrong);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), StatusCode::kUnauthenticated) << denied.status().ToString();
  EXPECT_NE(denied.status().message().find("incorrect username or password"), std::string::npos)
      << denied.status().ToString();

  // The right ones, from imagePullSecrets.
  PullOptions right;
  right.credentials = {{"http://" + registry->host(), options.username, options.password}};
  auto image = store->Pull(ref, right);
  ASSERT_TRUE(image.ok()) << image.status().ToString();

  // The right ones from the config file's `configs:` (and pull secrets take precedence).
  json config = registry->MirrorConfig();
  config["configs"][registry->host()]["auth"] = {{"username", options.username}, {"password", options.password}};
  auto configured = OpenStore(tmp_ / "store2", config);
  ASSERT_TRUE(configured);
  EXPECT_TRUE(configured->Pull(ref, {}).ok());
  EXPECT_EQ(configured->Pull(ref, wrong).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(ImagePullTest, BasicAuth) {
  TestRegistryOptions options;
  options.auth = TestRegistryOptions::Auth::kBasic;
  auto registry = RegistryWith("private/busybox:1", options);
  ASSERT_TRUE(registry);
  const std::string ref = registry->host() + "/private/busybox:1";
  auto store = OpenStore(root_, registry->MirrorConfig());
  ASSERT_TRUE(store);
  auto anonymous = store->Pull(ref, {});
  EXPECT_EQ(anonymous.status().code(), StatusCode::kUnauthenticated) << anonymous.status().ToString();
  PullOptions right;
  right.credentials = {{registry->host(), options.username, options.password}};
  auto image = store->Pull(ref, right);
  EXPECT_TRUE(image.ok()) << image.status().ToString();
}

TEST_F(ImagePullTest, DockerHubNameThroughAMirror) {
  auto registry = RegistryWith("library/busybox-test:1");
  ASSERT_TRUE(registry);
  auto store = OpenStore(root_, registry->MirrorConfig("docker.io"));
  ASSERT_TRUE(store);
  auto image = store->Pull("busybox-test:1", {});
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(image->references, std::vector<std::string>{"docker.io/library/busybox-test:1"});
  EXPECT_TRUE(store->Get("busybox-test:1").ok());
  EXPECT_TRUE(store->Get("docker.io/library/busybox-test:1").ok());

  // Pulled by digest, and found by digest.
  std::string by_digest = "busybox-test@" + image->manifest_digest;
  EXPECT_EQ(store->Get(by_digest)->id, image->id);
  auto pinned = store->Pull(by_digest, {});
  ASSERT_TRUE(pinned.ok()) << pinned.status().ToString();
  EXPECT_EQ(pinned->id, image->id);
  EXPECT_EQ(pinned->references.size(), 2u);

  // Removing a reference removes only that one.
  ASSERT_TRUE(store->Remove(by_digest).ok());
  EXPECT_EQ(store->Get(image->id)->references, std::vector<std::string>{"docker.io/library/busybox-test:1"});
  EXPECT_EQ(store->Remove("busybox-test:2").code(), StatusCode::kNotFound);
}

TEST_F(ImagePullTest, MirrorsAreTriedInOrder) {
  auto empty = TestRegistry::Start();
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  auto full = RegistryWith("library/busybox-test:1");
  ASSERT_TRUE(full);
  const std::string dead = "http://127.0.0.1:" + std::to_string(moor::testing::FreeLoopbackPort());
  json config = {{"mirrors", {{"docker.io", {{"endpoint", {(*empty)->url(), dead, full->url()}}}}}}};
  auto store = OpenStore(root_, config);
  ASSERT_TRUE(store);
  // 404 from the first, connection refused from the second, the image from the third (and so
  // the default https://registry-1.docker.io is never asked).
  auto image = store->Pull("busybox-test:1", {});
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(RunInRootfs(store->LayerPaths(*image)->at(0), {"/bin/sh", "-c", "echo ok"}), "ok\n");

  // When every endpoint fails, the first error that is not "not found" is the answer.
  json only_local = {{"mirrors", {{"127.0.0.1:1", {{"endpoint", {(*empty)->url() , dead}}}}}}};
  auto failing = OpenStore(tmp_ / "store2", only_local);
  ASSERT_TRUE(failing);
  auto missing = failing->Pull("127.0.0.1:1/busybox-test:1", {});
  EXPECT_EQ(missing.status().code(), StatusCode::kUnavailable) << missing.status().ToString();
  EXPECT_NE(missing.status().message().find(dead), std::string::npos) << missing.status().ToString();
}

TEST_F(ImagePullTest, ManifestListResolvesToLinuxAmd64) {
  auto registry = TestRegistry::Start();
  ASSERT_TRUE(registry.ok()) << registry.status().ToString();
  ASSERT_TRUE(BuildBusyboxImageLayout(layout_, "plain").ok());
  // Wrap the manifest in an index that also offers linux/arm64 (the same manifest, which is
  // enough to tell the platform apart: moor must pick the amd64 entry).
  json index = json::parse(*ReadFileLimited(layout_ / "index.json", 1 << 20));
  json manifest = index["manifests"][0];
  manifest.erase("annotations");
  json arm = manifest;
  arm["platform"] = {{"os", "linux"}, {"architecture", "arm64"}, {"variant", "v8"}};
  json amd = manifest;
  amd["platform"] = {{"os", "linux"}, {"architecture", "amd64"}};
  std::string list = json{{"schemaVersion", 2}, {"mediaType", "application/vnd.oci.image.index.v1+json"},
                          {"manifests", {arm, amd}}}.dump();
  std::string list_digest = DigestOf(list);
  ASSERT_TRUE(WriteFileAtomic(layout_ / "blobs/sha256" / list_digest.substr(7), list).ok());
  index["manifests"].push_back({{"mediaType", "application/vnd.oci.image.index.v1+json"},
                                {"digest", list_digest},
                                {"size", list.size()},
                                {"annotations", {{"org.opencontainers.image.ref.name", "multi"}}}});
  ASSERT_TRUE(WriteFileAtomic(layout_ / "index.json", index.dump()).ok());
  Status pushed = (*registry)->Push(layout_, "multi", "multi:1");
  ASSERT_TRUE(pushed.ok()) << pushed.ToString();

  auto store = OpenStore(root_, (*registry)->MirrorConfig());
  ASSERT_TRUE(store);
  auto image = store->Pull((*registry)->host() + "/multi:1", {});
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(image->manifest_digest, list_digest);
  EXPECT_EQ(image->layers, LayoutLayers(layout_, "plain"));

  ImageStoreOptions arm_options;
  arm_options.root = (tmp_ / "store-s390x").string();
  arm_options.registries = *ParseRegistriesConfig((*registry)->MirrorConfig());
  arm_options.platform_arch = "s390x";
  auto other = OpenImageStore(arm_options);
  ASSERT_TRUE(other.ok());
  auto missing = (*other)->Pull((*registry)->host() + "/multi:1", {});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound) << missing.status().ToString();
  EXPECT_NE(missing.status().message().find("linux/arm64/v8"), std::string::npos) << missing.status().ToString();
}

TEST_F(ImagePullTest, DockerSchema2ManifestAndZstdLayers) {
  auto registry = RegistryWith("busybox-test:oci");
  ASSERT_TRUE(registry);
  Status pushed = registry->Push(layout_, "v1", "busybox-test:v2s2", {"--format=v2s2"});
  ASSERT_TRUE(pushed.ok()) << pushed.ToString();
  AddZstdVariant(layout_, "v1", "zstd");
  pushed = registry->Push(layout_, "zstd", "busybox-zstd:1");
  ASSERT_TRUE(pushed.ok()) << pushed.ToString();
  auto store = OpenStore(root_, registry->MirrorConfig());
  ASSERT_TRUE(store);

  auto docker = store->Pull(registry->host() + "/busybox-test:v2s2", {});
  ASSERT_TRUE(docker.ok()) << docker.status().ToString();
  json manifest = json::parse(*ReadFileLimited(root_ / "blobs/sha256" / docker->manifest_digest.substr(7), 1 << 20));
  EXPECT_EQ(manifest["mediaType"], "application/vnd.docker.distribution.manifest.v2+json");
  EXPECT_EQ(RunInRootfs(store->LayerPaths(*docker)->at(0), {"/bin/sh", "-c", "echo docker"}), "docker\n");

  auto zstd = store->Pull(registry->host() + "/busybox-zstd:1", {});
  ASSERT_TRUE(zstd.ok()) << zstd.status().ToString();
  manifest = json::parse(*ReadFileLimited(root_ / "blobs/sha256" / zstd->manifest_digest.substr(7), 1 << 20));
  EXPECT_EQ(manifest["layers"][0]["mediaType"], "application/vnd.oci.image.layer.v1.tar+zstd");
  EXPECT_NE(zstd->layers, docker->layers);
  EXPECT_EQ(RunInRootfs(store->LayerPaths(*zstd)->at(0), {"/bin/sh", "-c", "echo zstd"}), "zstd\n");
}

TEST_F(ImagePullTest, TlsCaFileClientCertificateAndInsecureSkipVerify) {
  TestRegistryOptions options;
  options.tls = true;
  options.client_certificates = true;
  auto registry = RegistryWith("busybox-test:1", options);
  ASSERT_TRUE(registry);
  const std::string ref = registry->host() + "/busybox-test:1";
  auto pull = [&](const json& tls) {
    json config = registry->MirrorConfig();
    config["configs"][registry->host()]["tls"] = tls;
    TempDir root("image-tls");
    auto store = OpenStore(root.path(), config);
    return store ? store->Pull(ref, {}).status() : InternalError("no store");
  };
  const std::string cert = registry->client_cert_file().string();
  const std::string key = registry->client_key_file().string();
  Status trusted = pull({{"ca_file", registry->ca_file().string()}, {"cert_file", cert}, {"key_file", key}});
  EXPECT_TRUE(trusted.ok()) << trusted.ToString();
  Status unknown_ca = pull({{"cert_file", cert}, {"key_file", key}});
  EXPECT_EQ(unknown_ca.code(), StatusCode::kUnavailable) << unknown_ca.ToString();
  Status skip = pull({{"insecure_skip_verify", true}, {"cert_file", cert}, {"key_file", key}});
  EXPECT_TRUE(skip.ok()) << skip.ToString();
  Status no_client_cert = pull({{"ca_file", registry->ca_file().string()}});
  EXPECT_EQ(no_client_cert.code(), StatusCode::kUnavailable) << no_client_cert.ToString();
}

TEST_F(ImagePullTest, CorruptedBlobIsRejectedAndNothingHalfWrittenStays) {
  auto registry = RegistryWith("busybox-test:1");
  ASSERT_TRUE(registry);
  std::string layer = LayoutLayers(layout_, "v1").at(0);
  std::filesystem::path data = registry->BlobDataPath(layer);
  ASSERT_TRUE(std::filesystem::exists(data)) << data;
  {
    // Same size, different bytes in the middle: only the digest can tell.
    std::fstream f(data, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(std::filesystem::file_size(data) / 2));
    f.write("CORRUPTED", 9);
  }
  auto store = OpenStore(root_, registry->MirrorConfig());
  ASSERT_TRUE(store);
  auto image = store->Pull(registry->host() + "/busybox-test:1", {});
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.status().code(), StatusCode::kInvalidArgument) << image.status().ToString();
  EXPECT_NE(image.status().message().find(layer), std::string::npos) << image.status().ToString();

  EXPECT_FALSE(std::filesystem::exists(root_ / "blobs/sha256" / layer.substr(7)));
  EXPECT_FALSE(std::filesystem::exists(root_ / "layers/sha256" / layer.substr(7)));
  EXPECT_TRUE(IsEmptyDir(root_ / "tmp"));
  EXPECT_TRUE(IsEmptyDir(root_ / "layers/sha256"));
  EXPECT_EQ(store->Get(registry->host() + "/busybox-test:1").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store->List()->empty());
}

TEST_F(ImagePullTest, SecondPullReusesTheUnpackedLayer) {
  auto registry = RegistryWith("busybox-test:1");
  ASSERT_TRUE(registry);
  ASSERT_TRUE(registry->Push(layout_, "v1", "busybox-copy:1").ok());
  auto store = OpenStore(root_, registry->MirrorConfig());
  ASSERT_TRUE(store);
  auto first = store->Pull(registry->host() + "/busybox-test:1", {});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  std::string layer_dir = store->LayerPaths(*first)->at(0);
  struct stat before;
  ASSERT_EQ(::stat(layer_dir.c_str(), &before), 0);
  moor::testing::WriteFile(std::filesystem::path(layer_dir) / "marker", "unpacked once");

  // The same image again, and under another name: one layer directory, not unpacked again.
  auto again = store->Pull(registry->host() + "/busybox-test:1", {});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  auto other = store->Pull(registry->host() + "/busybox-copy:1", {});
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_EQ(other->id, first->id);
  EXPECT_EQ(other->references.size(), 2u);
  EXPECT_EQ(store->LayerPaths(*other)->at(0), layer_dir);
  struct stat after;
  ASSERT_EQ(::stat(layer_dir.c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(layer_dir) / "marker"));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(root_ / "layers/sha256"),
                          std::filesystem::directory_iterator()),
            1);
}

TEST_F(ImagePullTest, TwoStoresOnOneRootPullConcurrently) {
  // Two ImageStore objects share nothing in memory, so only the flocks keep the index whole:
  // the same situation as two processes.
  auto registry = RegistryWith("busybox-test:1");
  ASSERT_TRUE(registry);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(registry->Push(layout_, "v1", "busybox-test:" + std::to_string(i + 2)).ok());
  auto a = OpenStore(root_, registry->MirrorConfig());
  auto b = OpenStore(root_, registry->MirrorConfig());
  ASSERT_TRUE(a && b);
  std::vector<std::thread> threads;
  std::vector<Status> results(5);
  for (int i = 0; i < 5; ++i) {
    threads.emplace_back([&, i] {
      ImageStore& store = i % 2 == 0 ? *a : *b;
      results[i] = store.Pull(registry->host() + "/busybox-test:" + std::to_string(i + 1), {}).status();
    });
  }
  for (auto& t : threads) t.join();
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
  auto listed = a->List();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->at(0).references.size(), 5u);
  EXPECT_TRUE(IsEmptyDir(root_ / "tmp"));
}

}  // namespace
}  // namespace moor::runtime
