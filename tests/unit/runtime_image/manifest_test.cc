#include "moor/runtime/image/manifest.h"

#include <gtest/gtest.h>

namespace moor::runtime {
namespace {

using nlohmann::json;

const std::string kA = "sha256:" + std::string(64, 'a');
const std::string kB = "sha256:" + std::string(64, 'b');
const std::string kC = "sha256:" + std::string(64, 'c');

json Entry(const std::string& digest, const std::string& os, const std::string& arch, const std::string& variant = "") {
  json p = {{"os", os}, {"architecture", arch}};
  if (!variant.empty()) p["variant"] = variant;
  return {{"mediaType", kOciManifest}, {"digest", digest}, {"size", 10}, {"platform", p}};
}

TEST(ImageManifestTest, Classify) {
  json index = {{"manifests", json::array()}};
  json image = {{"config", json::object()}, {"layers", json::array()}};
  EXPECT_EQ(*ClassifyManifest(kDockerManifestList, image), ManifestKind::kIndex);  // the header wins
  EXPECT_EQ(*ClassifyManifest("application/vnd.oci.image.manifest.v1+json; charset=utf-8", json::object()),
            ManifestKind::kImage);
  EXPECT_EQ(*ClassifyManifest("application/json", index), ManifestKind::kIndex);
  EXPECT_EQ(*ClassifyManifest("", image), ManifestKind::kImage);
  EXPECT_EQ(*ClassifyManifest("text/plain", json{{"mediaType", kOciIndex}}), ManifestKind::kIndex);
  auto schema1 = ClassifyManifest("application/vnd.docker.distribution.manifest.v1+prettyjws", json{{"name", "x"}});
  ASSERT_FALSE(schema1.ok());
  EXPECT_EQ(schema1.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(schema1.status().message().find("schema 1"), std::string::npos);
}

TEST(ImageManifestTest, SelectsLinuxAmd64) {
  json index = {{"manifests",
                 {Entry(kA, "linux", "arm64", "v8"), Entry(kB, "linux", "amd64", "v3"), Entry(kC, "linux", "amd64"),
                  Entry(kA, "unknown", "unknown")}}};
  auto entries = ParseIndex(index);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  auto chosen = SelectPlatform(*entries, "linux", "amd64");
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(chosen->digest, kC);  // the plain amd64 entry over the v3 variant

  auto none = SelectPlatform(*entries, "linux", "s390x");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_NE(none.status().message().find("linux/arm64/v8"), std::string::npos) << none.status().message();
}

TEST(ImageManifestTest, ParsesImageManifestAndChecksTypes) {
  json m = {{"schemaVersion", 2},
            {"config", {{"mediaType", kDockerConfig}, {"digest", kA}, {"size", 5}}},
            {"layers",
             {{{"mediaType", "application/vnd.docker.image.rootfs.diff.tar.gzip"}, {"digest", kB}, {"size", 7}},
              {{"mediaType", "application/vnd.oci.image.layer.v1.tar+zstd"}, {"digest", kC}, {"size", 9}}}}};
  auto parsed = ParseImageManifest(m);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->config.digest, kA);
  ASSERT_EQ(parsed->layers.size(), 2u);
  EXPECT_EQ(parsed->layers[1].size, 9);

  json helm = m;
  helm["config"]["mediaType"] = "application/vnd.cncf.helm.config.v1+json";
  EXPECT_EQ(ParseImageManifest(helm).status().code(), StatusCode::kInvalidArgument);
  json bad_layer = m;
  bad_layer["layers"][0]["mediaType"] = "application/x-unknown";
  EXPECT_NE(ParseImageManifest(bad_layer).status().message().find("layers[0]"), std::string::npos);
  json bad_digest = m;
  bad_digest["layers"][1]["digest"] = "md5:abc";
  EXPECT_NE(ParseImageManifest(bad_digest).status().message().find("unsupported digest algorithm"), std::string::npos);
}

TEST(ImageManifestTest, BuildOciManifestRoundTrips) {
  Descriptor config;
  config.media_type = kOciConfig;
  config.digest = kA;
  config.size = 3;
  Descriptor layer;
  layer.media_type = kOciLayerTar;
  layer.digest = kB;
  layer.size = 4;
  auto parsed = ParseImageManifest(json::parse(BuildOciManifest(config, {layer})));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->config.digest, kA);
  EXPECT_EQ(parsed->layers.at(0).digest, kB);
}

}  // namespace
}  // namespace moor::runtime
