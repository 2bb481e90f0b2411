// ParseImageReference against the cases of Docker's own reference tests
// (github.com/distribution/reference normalize_test.go / reference_test.go).
#include "moor/runtime/image_reference.h"

#include <gtest/gtest.h>

#include <string>

namespace moor::runtime {
namespace {

const std::string kSha = "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

struct Valid {
  std::string input;
  std::string registry;
  std::string repository;
  std::string tag;
  std::string digest;
};

class ImageValidReferenceTest : public ::testing::TestWithParam<Valid> {};

TEST_P(ImageValidReferenceTest, Normalizes) {
  const Valid& c = GetParam();
  auto ref = ParseImageReference(c.input);
  ASSERT_TRUE(ref.ok()) << c.input << ": " << ref.status().ToString();
  EXPECT_EQ(ref->registry, c.registry) << c.input;
  EXPECT_EQ(ref->repository, c.repository) << c.input;
  EXPECT_EQ(ref->tag, c.tag) << c.input;
  EXPECT_EQ(ref->digest, c.digest) << c.input;
}

INSTANTIATE_TEST_SUITE_P(
    ImageDocker, ImageValidReferenceTest,
    ::testing::Values(
        Valid{"nginx", "docker.io", "library/nginx", "latest", ""},
        Valid{"nginx:1.25", "docker.io", "library/nginx", "1.25", ""},
        Valid{"docker/docker", "docker.io", "docker/docker", "latest", ""},
        Valid{"library/debian", "docker.io", "library/debian", "latest", ""},
        Valid{"docker.io/docker/docker", "docker.io", "docker/docker", "latest", ""},
        Valid{"docker.io/library/debian", "docker.io", "library/debian", "latest", ""},
        Valid{"docker.io/debian", "docker.io", "library/debian", "latest", ""},
        Valid{"index.docker.io/docker/docker", "docker.io", "docker/docker", "latest", ""},
        Valid{"index.docker.io/library/debian", "docker.io", "library/debian", "latest", ""},
        Valid{"index.docker.io/debian", "docker.io", "library/debian", "latest", ""},
        Valid{"127.0.0.1:5000/docker/docker", "127.0.0.1:5000", "docker/docker", "latest", ""},
        Valid{"127.0.0.1:5000/library/debian", "127.0.0.1:5000", "library/debian", "latest", ""},
        Valid{"127.0.0.1:5000/debian", "127.0.0.1:5000", "debian", "latest", ""},
        Valid{"127.0.0.1:5000/app:v1", "127.0.0.1:5000", "app", "v1", ""},
        Valid{"192.168.0.1", "docker.io", "library/192.168.0.1", "latest", ""},
        Valid{"192.168.0.1:80", "docker.io", "library/192.168.0.1", "80", ""},
        Valid{"192.168.0.1:8/debian", "192.168.0.1:8", "debian", "latest", ""},
        Valid{"192.168.0.2:25000/debian", "192.168.0.2:25000", "debian", "latest", ""},
        Valid{"thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "docker.io",
              "library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "latest", ""},
        Valid{"docker-registry.example.com/foo", "docker-registry.example.com", "foo", "latest", ""},
        Valid{"localhost/repo", "localhost", "repo", "latest", ""},
        Valid{"localhost:5000/repo:tag", "localhost:5000", "repo", "tag", ""},
        Valid{"Docker/docker", "Docker", "docker", "latest", ""},  // an upper-case first part is a host
        Valid{"test_com", "docker.io", "library/test_com", "latest", ""},
        Valid{"test.com:tag", "docker.io", "library/test.com", "tag", ""},
        Valid{"test.com:5000", "docker.io", "library/test.com", "5000", ""},
        Valid{"test.com/repo:tag", "test.com", "repo", "tag", ""},
        Valid{"test:5000/repo", "test:5000", "repo", "latest", ""},
        Valid{"test:5000/repo:tag", "test:5000", "repo", "tag", ""},
        Valid{"test:5000/repo@" + kSha, "test:5000", "repo", "", kSha},
        Valid{"test:5000/repo:tag@" + kSha, "test:5000", "repo", "tag", kSha},
        Valid{"repo@" + kSha, "docker.io", "library/repo", "", kSha},
        Valid{"ghcr.io/org/app@" + kSha, "ghcr.io", "org/app", "", kSha},
        Valid{"lowercase:Uppercase", "docker.io", "library/lowercase", "Uppercase", ""},
        Valid{"sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com", "bar/baz/quux", "latest", ""},
        Valid{"sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com", "bar/baz/quux", "some-long-tag", ""},
        Valid{"b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io", "test.example.com/my-app",
              "test.example.com", ""},
        Valid{"xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com", "myimage", "xn--n3h.com", ""},
        Valid{"foo_bar.com:8080", "docker.io", "library/foo_bar.com", "8080", ""},
        Valid{"foo/foo_bar.com:8080", "docker.io", "foo/foo_bar.com", "8080", ""},
        Valid{"a__b/c--d---e/f.g_h", "docker.io", "a__b/c--d---e/f.g_h", "latest", ""},
        Valid{"[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", "repo", "latest", ""},
        Valid{"[2001:db8::1]/repo:tag", "[2001:db8::1]", "repo", "tag", ""},
        // 255 characters in all, the limit: "registry.example.com/" + 234.
        Valid{"registry.example.com/" + Repeat("a/", 116) + "aa", "registry.example.com", Repeat("a/", 116) + "aa",
              "latest", ""}));

struct Invalid {
  std::string input;
  std::string reason;  // a substring of the message
};

class ImageInvalidReferenceTest : public ::testing::TestWithParam<Invalid> {};

TEST_P(ImageInvalidReferenceTest, IsRejected) {
  const Invalid& c = GetParam();
  auto ref = ParseImageReference(c.input);
  ASSERT_FALSE(ref.ok()) << c.input << " parsed as " << ref->String();
  EXPECT_EQ(ref.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(ref.status().message().find("invalid reference format"), std::string::npos) << ref.status().message();
  EXPECT_NE(ref.status().message().find(c.reason), std::string::npos) << ref.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    ImageDocker, ImageInvalidReferenceTest,
    ::testing::Values(
        Invalid{"", "at least one component"},
        Invalid{":justtag", ""},
        Invalid{"@" + kSha, ""},
        Invalid{"https://github.com/docker/docker", ""},
        Invalid{"docker/Docker", "must be lowercase"},
        Invalid{"Uppercase:tag", "must be lowercase"},
        Invalid{"test:5000/Uppercase/lowercase:tag", "must be lowercase"},
        Invalid{"docker.io/docker/Docker", "must be lowercase"},
        Invalid{"-docker", ""},
        Invalid{"-docker/docker", ""},
        Invalid{"-docker.io/docker/docker", ""},
        Invalid{"docker///docker", ""},
        Invalid{"docker.io/docker///docker", ""},
        Invalid{"aa/asdf$$^/aa", ""},
        Invalid{"[fc00::1]", ""},
        Invalid{"repo:", ""},
        Invalid{"repo:-tag", ""},
        Invalid{"repo:" + std::string(129, 't'), ""},
        Invalid{"repo@sha256:abc", ""},
        Invalid{"validname@invaliddigest:" + std::string(64, 'f'), "unsupported digest algorithm"},
        Invalid{"repo@sha256:" + std::string(64, 'F'), "invalid checksum digest format"},
        Invalid{"repo@sha256:" + std::string(63, 'f'), "invalid checksum digest length"},
        Invalid{"1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", "64-byte hexadecimal"},
        Invalid{Repeat("a/", 128) + "a:tag", "255 characters"},
        Invalid{"registry.example.com/" + Repeat("a/", 117) + "aa", "255 characters"}));

TEST(ImageReferenceTest, StringKeepsTagAndDigest) {
  auto a = ParseImageReference("nginx:1.25");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->String(), "docker.io/library/nginx:1.25");
  auto b = ParseImageReference("ghcr.io/org/app:v2@" + kSha);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->String(), "ghcr.io/org/app:v2@" + kSha);
  auto c = ParseImageReference("ghcr.io/org/app@" + kSha);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->String(), "ghcr.io/org/app@" + kSha);
  // String() of a normalized reference parses back to itself.
  for (const auto* r : {&*a, &*b, &*c}) {
    auto again = ParseImageReference(r->String());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->String(), r->String());
  }
}

TEST(ImageReferenceTest, IsLatest) {
  EXPECT_TRUE(ParseImageReference("nginx")->IsLatest());
  EXPECT_TRUE(ParseImageReference("nginx:latest")->IsLatest());
  EXPECT_FALSE(ParseImageReference("nginx:1.25")->IsLatest());
  EXPECT_FALSE(ParseImageReference("nginx@" + kSha)->IsLatest());
  EXPECT_FALSE(ParseImageReference("nginx:latest@" + kSha)->IsLatest());
}

}  // namespace
}  // namespace moor::runtime
