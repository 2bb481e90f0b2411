#pragma once

// Helpers shared by the runtime/image integration tests.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "moor/common/files.h"
#include "moor/runtime/image_store.h"
#include "moor/runtime/registries_config.h"
#include "moor/testing/process.h"
#include "moor/testing/temp_dir.h"
#include "moor/testing/test_registry.h"

namespace moor::runtime {

inline std::unique_ptr<ImageStore> OpenStore(const std::filesystem::path& root, const nlohmann::json& registries) {
  auto config = ParseRegistriesConfig(registries);
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  if (!config.ok()) return nullptr;
  ImageStoreOptions options;
  options.root = root.string();
  options.registries = *config;
  auto store = OpenImageStore(options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

// The layer digests of `tag` in an OCI layout, bottom first.
inline std::vector<std::string> LayoutLayers(const std::filesystem::path& layout, const std::string& tag) {
  using nlohmann::json;
  std::vector<std::string> out;
  json index = json::parse(*ReadFileLimited(layout / "index.json", 1 << 20));
  for (const json& m : index["manifests"]) {
    if (m["annotations"]["org.opencontainers.image.ref.name"] != tag) continue;
    std::string digest = m["digest"];
    json manifest = json::parse(*ReadFileLimited(layout / "blobs/sha256" / digest.substr(7), 1 << 20));
    for (const json& l : manifest["layers"]) out.push_back(l["digest"]);
  }
  return out;
}

// Runs `argv` inside the layer (a root filesystem) with chroot; returns stdout, or the error.
inline std::string RunInRootfs(const std::string& rootfs, const std::vector<std::string>& argv) {
  std::vector<std::string> full = {"chroot", rootfs};
  full.insert(full.end(), argv.begin(), argv.end());
  moor::testing::CommandResult r = moor::testing::RunCommand(full);
  return r.exit_code == 0 ? r.out : "exit " + std::to_string(r.exit_code) + ": " + r.err;
}

inline bool IsEmptyDir(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::is_empty(dir, ec) && !ec;
}

inline void RequireRoot() {
  ASSERT_EQ(::geteuid(), 0u) << "runtime/image integration tests need root (layer owners, device nodes, "
                                "trusted.* xattrs, chroot)";
}

}  // namespace moor::runtime
