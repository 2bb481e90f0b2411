#include "moor/runtime/registries_config.h"

#include <gtest/gtest.h>

#include "moor/runtime/image/registry_endpoints.h"

namespace moor::runtime {
namespace {

using nlohmann::json;

TEST(ImageRegistriesConfigTest, ParsesK3sSchema) {
  json section = json::parse(R"json({
    "mirrors": {
      "docker.io": {"endpoint": ["http://127.0.0.1:5000", "mirror.example:5443"],
                    "rewrite": {"^library/(.*)": "mirror/$1"}},
      "*": {"endpoint": ["https://all.example/prefix/"]}
    },
    "configs": {
      "127.0.0.1:5000": {"auth": {"username": "u", "password": "p"}},
      "mirror.example:5443": {"auth": {"auth": "YWxpY2U6czNjcjN0"},
                              "tls": {"ca_file": "/ca.pem", "cert_file": "/c.pem", "key_file": "/k.pem",
                                      "insecure_skip_verify": true}}
    }
  })json");
  auto config = ParseRegistriesConfig(section);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const RegistryMirror& hub = config->mirrors.at("docker.io");
  EXPECT_EQ(hub.endpoints, (std::vector<std::string>{"http://127.0.0.1:5000", "https://mirror.example:5443"}));
  EXPECT_EQ(hub.rewrites.at("^library/(.*)"), "mirror/$1");
  EXPECT_EQ(config->mirrors.at("*").endpoints, (std::vector<std::string>{"https://all.example/prefix"}));
  EXPECT_EQ(config->configs.at("127.0.0.1:5000").auth.username, "u");
  EXPECT_EQ(config->configs.at("127.0.0.1:5000").auth.password, "p");
  const RegistryHostConfig& m = config->configs.at("mirror.example:5443");
  EXPECT_EQ(m.auth.username, "alice");
  EXPECT_EQ(m.auth.password, "s3cr3t");
  EXPECT_EQ(m.tls.ca_file, "/ca.pem");
  EXPECT_EQ(m.tls.cert_file, "/c.pem");
  EXPECT_EQ(m.tls.key_file, "/k.pem");
  EXPECT_TRUE(m.tls.insecure_skip_verify);
}

TEST(ImageRegistriesConfigTest, NullAndEmptyAreEmpty) {
  EXPECT_TRUE(ParseRegistriesConfig(json()).ok());
  auto config = ParseRegistriesConfig(json::object());
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(config->mirrors.empty());
  EXPECT_TRUE(config->configs.empty());
}

struct BadCase {
  std::string yaml_as_json;
  std::string message;  // the start of the error message: the key path
};

class ImageRegistriesConfigErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(ImageRegistriesConfigErrorTest, NamesTheKeyPath) {
  auto config = ParseRegistriesConfig(json::parse(GetParam().yaml_as_json));
  ASSERT_FALSE(config.ok()) << GetParam().yaml_as_json;
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(config.status().message().rfind(GetParam().message, 0), 0u) << config.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    ImageTable, ImageRegistriesConfigErrorTest,
    ::testing::Values(
        BadCase{R"([])", "registries: expected a map, got a list"},
        BadCase{R"({"mirror": {}})", "registries.mirror: unknown key"},
        BadCase{R"({"mirrors": []})", "registries.mirrors: expected a map"},
        BadCase{R"({"mirrors": {"docker.io": {"endpoint": "http://x"}}})",
                "registries.mirrors.docker.io.endpoint: expected a list, got a string"},
        BadCase{R"({"mirrors": {"docker.io": {"endpoint": [5]}}})",
                "registries.mirrors.docker.io.endpoint[0]: expected a string, got a number"},
        BadCase{R"({"mirrors": {"docker.io": {"endpoint": ["ftp://x"]}}})",
                "registries.mirrors.docker.io.endpoint[0]: unsupported scheme \"ftp\""},
        BadCase{R"({"mirrors": {"docker.io": {"endpoint": ["http://"]}}})",
                "registries.mirrors.docker.io.endpoint[0]: endpoint \"http://\" has no host"},
        BadCase{R"({"mirrors": {"docker.io": {"endpoints": []}}})", "registries.mirrors.docker.io.endpoints: unknown key"},
        BadCase{R"json({"mirrors": {"docker.io": {"rewrite": {"(": "x"}}}})json",
                "registries.mirrors.docker.io.rewrite.(: invalid regular expression"},
        BadCase{R"({"configs": {"h": {"auth": {"user": "x"}}}})", "registries.configs.h.auth.user: unknown key"},
        BadCase{R"({"configs": {"h": {"auth": {"username": 1}}}})",
                "registries.configs.h.auth.username: expected a string, got a number"},
        BadCase{R"({"configs": {"h": {"auth": {"auth": "bm9jb2xvbg=="}}}})",
                "registries.configs.h.auth.auth: expected base64 of \"username:password\""},
        BadCase{R"({"configs": {"h": {"auth": {"auth": "!!"}}}})", "registries.configs.h.auth.auth: expected base64"},
        BadCase{R"({"configs": {"h": {"tls": {"insecure_skip_verify": "yes"}}}})",
                "registries.configs.h.tls.insecure_skip_verify: expected true or false"},
        BadCase{R"({"configs": {"h": {"tls": {"cert_file": "/c"}}}})",
                "registries.configs.h.tls: cert_file and key_file must be given together"},
        BadCase{R"({"configs": {"h": {"tlsx": {}}}})", "registries.configs.h.tlsx: unknown key"}));

TEST(ImageRegistryEndpointsTest, MirrorsThenDefault) {
  RegistriesConfig config;
  config.mirrors["docker.io"].endpoints = {"http://127.0.0.1:5000", "https://m.example/custom"};
  config.mirrors["docker.io"].rewrites = {{"^library/(.*)", "hub/$1"}};
  config.configs["127.0.0.1:5000"].auth.username = "mirror-user";
  config.configs["docker.io"].auth.username = "hub-user";
  auto endpoints = EndpointsFor("docker.io", config);
  ASSERT_EQ(endpoints.size(), 3u);
  EXPECT_EQ(endpoints[0].url.ApiRoot(), "http://127.0.0.1:5000/v2");
  EXPECT_TRUE(endpoints[0].is_mirror);
  EXPECT_EQ(endpoints[0].config.auth.username, "mirror-user");
  EXPECT_EQ(RewriteRepository(endpoints[0], "library/busybox"), "hub/busybox");
  EXPECT_EQ(RewriteRepository(endpoints[0], "org/app"), "org/app");
  EXPECT_EQ(endpoints[1].url.ApiRoot(), "https://m.example/custom");
  EXPECT_EQ(endpoints[2].url.ApiRoot(), "https://registry-1.docker.io/v2");
  EXPECT_FALSE(endpoints[2].is_mirror);
  EXPECT_EQ(endpoints[2].config.auth.username, "hub-user");
  EXPECT_EQ(RewriteRepository(endpoints[2], "library/busybox"), "library/busybox");
}

TEST(ImageRegistryEndpointsTest, WildcardAndPlainRegistry) {
  RegistriesConfig config;
  config.mirrors["*"].endpoints = {"http://127.0.0.1:6000"};
  auto endpoints = EndpointsFor("ghcr.io", config);
  ASSERT_EQ(endpoints.size(), 2u);
  EXPECT_EQ(endpoints[0].url.ApiRoot(), "http://127.0.0.1:6000/v2");
  EXPECT_EQ(endpoints[1].url.ApiRoot(), "https://ghcr.io/v2");

  auto plain = EndpointsFor("127.0.0.1:5000", RegistriesConfig{});
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(plain[0].url.ApiRoot(), "https://127.0.0.1:5000/v2");  // http only when configured
}

TEST(ImageRegistryEndpointsTest, DisabledDefaultEndpointLeavesOnlyTheMirrors) {
  RegistriesConfig config;
  config.mirrors["docker.io"].endpoints = {"http://127.0.0.1:5000"};
  config.disable_default_endpoint = true;
  auto endpoints = EndpointsFor("docker.io", config);
  ASSERT_EQ(endpoints.size(), 1u);
  EXPECT_EQ(endpoints[0].url.ApiRoot(), "http://127.0.0.1:5000/v2");
  // A registry without mirrors is still reached at its own address.
  auto unmirrored = EndpointsFor("ghcr.io", config);
  ASSERT_EQ(unmirrored.size(), 1u);
  EXPECT_EQ(unmirrored[0].url.ApiRoot(), "https://ghcr.io/v2");
}

TEST(ImageRegistryEndpointsTest, MirrorOnTheRegistrysOwnHostReplacesTheDefault) {
  RegistriesConfig config;
  config.mirrors["127.0.0.1:5000"].endpoints = {"http://127.0.0.1:6000", "http://127.0.0.1:5000"};
  config.configs["127.0.0.1:5000"].auth.username = "u";
  auto endpoints = EndpointsFor("127.0.0.1:5000", config);
  ASSERT_EQ(endpoints.size(), 2u);  // no https://127.0.0.1:5000 after the plain-http one
  EXPECT_EQ(endpoints[0].url.ApiRoot(), "http://127.0.0.1:6000/v2");
  EXPECT_TRUE(endpoints[0].is_mirror);
  EXPECT_EQ(endpoints[1].url.ApiRoot(), "http://127.0.0.1:5000/v2");
  EXPECT_FALSE(endpoints[1].is_mirror);
  EXPECT_EQ(endpoints[1].config.auth.username, "u");
  EXPECT_EQ(endpoints[1].credential_hosts, std::vector<std::string>{"127.0.0.1:5000"});

  config.mirrors["docker.io"].endpoints = {"http://registry-1.docker.io"};
  EXPECT_EQ(EndpointsFor("docker.io", config).size(), 1u);
}

TEST(ImageRegistryEndpointsTest, NormalizeRegistryHost) {
  EXPECT_EQ(NormalizeRegistryHost("https://index.docker.io/v1/"), "docker.io");
  EXPECT_EQ(NormalizeRegistryHost("registry-1.docker.io"), "docker.io");
  EXPECT_EQ(NormalizeRegistryHost("docker.io"), "docker.io");
  EXPECT_EQ(NormalizeRegistryHost("http://127.0.0.1:5000"), "127.0.0.1:5000");
  EXPECT_EQ(NormalizeRegistryHost("ghcr.io"), "ghcr.io");
}

}  // namespace
}  // namespace moor::runtime
