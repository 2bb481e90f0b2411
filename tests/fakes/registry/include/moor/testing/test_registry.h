#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "moor/common/status.h"
#include "moor/testing/process.h"
#include "moor/testing/temp_dir.h"

// A registry with a busybox image in it, for integration and e2e tests (link moor::testing_registry):
//
//   moor::testing::TempDir tmp("my-test");
//   auto layout = moor::testing::BuildBusyboxImageLayout(tmp / "layout", "v1");
//   ASSERT_TRUE(layout.ok()) << layout.status().ToString();
//   auto registry = moor::testing::TestRegistry::Start();
//   ASSERT_TRUE(registry.ok()) << registry.status().ToString();
//   ASSERT_TRUE((*registry)->Push(*layout, "v1", "library/busybox:1").ok());
//   // moor's `registries:` section: Docker Hub names come from this registry, so a manifest
//   // can say `image: busybox:1` ((*registry)->MirrorConfig() alone serves "127.0.0.1:<port>/...").
//   nlohmann::json registries = (*registry)->MirrorConfig("docker.io");

namespace moor::testing {

// Writes an OCI image layout at `dir` (created if missing; other tags already there are kept)
// holding a busybox image built from this host's /bin/busybox (Debian busybox-static):
//  - layer 1 (tar+gzip, byte-for-byte reproducible, so every call yields the same digest):
//    /bin/busybox and applet symlinks (sh, httpd, sleep, wget, nc, cat, echo, ls, id, env, kill,
//    ps, ...), /etc/passwd, /etc/group, /www/index.html ("hello from moor\n"), /tmp (1777);
//  - layer 2, only if `extra_files` is not empty: those files (absolute path in the image ->
//    content; mode 0755 when the content starts with "#!", else 0644);
//  - config: Entrypoint unset, Cmd ["sh"], Env PATH=..., linux/amd64.
// The manifest is annotated org.opencontainers.image.ref.name=<tag>, so it is `oci:<dir>:<tag>`
// to skopeo. Returns the layout path (`dir`), or an error naming what is missing.
StatusOr<std::string> BuildBusyboxImageLayout(const std::filesystem::path& dir, const std::string& tag = "latest",
                                              const std::map<std::string, std::string>& extra_files = {});

class TokenServer;

struct TestRegistryOptions {
  enum class Auth {
    kNone,   // anonymous pulls and pushes
    kToken,  // distribution's token auth, with a token server of the fixture's own on 127.0.0.1
    kBasic,  // htpasswd (needs `htpasswd` from apache2-utils)
  };
  Auth auth = Auth::kNone;
  std::string username = "moor";
  std::string password = "moor-secret";
  // Serve HTTPS with a fresh self-signed certificate for 127.0.0.1 (ca_file() trusts it).
  bool tls = false;
  // With tls: require a client certificate (client_cert_file() / client_key_file()).
  bool client_certificates = false;
};

// Debian's docker-registry (/usr/bin/docker-registry) serving plain HTTP on 127.0.0.1:<free
// port>, storage in a temp dir. Everything (processes, files) goes away with the object.
class TestRegistry {
 public:
  // Starts it and waits until /v2/ answers. An error names what is missing or went wrong
  // (with the end of the registry's log).
  static StatusOr<std::unique_ptr<TestRegistry>> Start(const TestRegistryOptions& options = {});
  ~TestRegistry();
  TestRegistry(const TestRegistry&) = delete;
  TestRegistry& operator=(const TestRegistry&) = delete;

  int port() const { return port_; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }  // as in image references
  std::string url() const { return (options_.tls ? "https://" : "http://") + host(); }
  const TestRegistryOptions& options() const { return options_; }

  // `skopeo copy --all oci:<layout_dir>:<tag> docker://127.0.0.1:<port>/<repo_tag>` (with the
  // credentials when auth is on), plus `skopeo_flags` (e.g. "--format=v2s2" for a Docker
  // schema 2 manifest, "--dest-compress-format=zstd").
  Status Push(const std::filesystem::path& layout_dir, const std::string& tag, const std::string& repo_tag,
              const std::vector<std::string>& skopeo_flags = {}) const;

  // The file the registry keeps the blob `digest` ("sha256:...") in (to corrupt it in tests).
  std::filesystem::path BlobDataPath(const std::string& digest) const;

  // The `registries:` config section that makes moor pull `registry` (default: this registry's
  // own host) from this registry (plain HTTP unless tls):
  //   {"mirrors": {registry: {"endpoint": ["http://127.0.0.1:<port>"]}}}
  nlohmann::json MirrorConfig(const std::string& registry = "") const;

  // With tls: the server certificate (PEM), and the client certificate and key to present.
  std::filesystem::path ca_file() const { return dir_ / "server.crt"; }
  std::filesystem::path client_cert_file() const { return dir_ / "client-certs" / "client.cert"; }
  std::filesystem::path client_key_file() const { return dir_ / "client-certs" / "client.key"; }

  // The registry's log (for failure messages).
  std::string LogTail() const;

 private:
  explicit TestRegistry(const TestRegistryOptions& options);
  Status Launch();
  StatusOr<std::string> TlsConfig();

  TestRegistryOptions options_;
  TempDir dir_{"registry"};
  int port_ = 0;
  std::unique_ptr<TokenServer> token_server_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace moor::testing
