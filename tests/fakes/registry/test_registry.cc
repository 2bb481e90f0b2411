#include "moor/testing/test_registry.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "moor/common/files.h"
#include "test_certificate.h"
#include "token_server.h"

namespace moor::testing {
namespace {

constexpr const char* kRegistryBinary = "/usr/bin/docker-registry";
constexpr const char* kSkopeo = "/usr/bin/skopeo";

// True once something answers HTTP on 127.0.0.1:port /v2/ (200 or 401 both mean "up"; a TLS
// server answers a plain request with 400).
bool Answers(int port, bool tls) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  timeval timeout{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    std::string request = "GET /v2/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
      char buf[64] = {};
      ssize_t n = ::read(fd, buf, sizeof(buf) - 1);
      std::string line(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
      // Go answers in the request's protocol version: "HTTP/1.0 200 OK".
      ok = line.starts_with("HTTP/1.") &&
           (tls ? line.find(" 400 ") == 8 : (line.find(" 200 ") == 8 || line.find(" 401 ") == 8));
    }
  }
  ::close(fd);
  return ok;
}

}  // namespace

TestRegistry::TestRegistry(const TestRegistryOptions& options) : options_(options) {}

TestRegistry::~TestRegistry() {
  if (process_) process_->Stop(SIGTERM, std::chrono::seconds(5));  // the destructor SIGKILLs if needed
  process_.reset();
  token_server_.reset();
}

StatusOr<std::unique_ptr<TestRegistry>> TestRegistry::Start(const TestRegistryOptions& options) {
  if (::access(kRegistryBinary, X_OK) != 0) {
    return FailedPreconditionError(std::string(kRegistryBinary) + " is missing: install Debian's docker-registry");
  }
  std::unique_ptr<TestRegistry> registry(new TestRegistry(options));
  MOOR_RETURN_IF_ERROR(registry->Launch());
  return registry;
}

Status TestRegistry::Launch() {
  std::string auth;
  if (options_.auth == TestRegistryOptions::Auth::kToken) {
    MOOR_ASSIGN_OR_RETURN(token_server_,
                          TokenServer::Start(dir_ / "token-signer.pem", options_.username, options_.password));
    auth = "auth:\n  token:\n    realm: " + token_server_->realm() + "\n    service: " + TokenServer::kService +
           "\n    issuer: " + TokenServer::kIssuer + "\n    rootcertbundle: " + (dir_ / "token-signer.pem").string() +
           "\n";
  } else if (options_.auth == TestRegistryOptions::Auth::kBasic) {
    CommandResult htpasswd = RunCommand({"htpasswd", "-Bbn", options_.username, options_.password});
    if (htpasswd.exit_code != 0) {
      return FailedPreconditionError("htpasswd -Bbn failed (install Debian's apache2-utils): " + htpasswd.err);
    }
    MOOR_RETURN_IF_ERROR(WriteFileAtomic(dir_ / "htpasswd", htpasswd.out));
    auth = "auth:\n  htpasswd:\n    realm: moor-test-registry\n    path: " + (dir_ / "htpasswd").string() + "\n";
  }
  std::string tls;
  if (options_.tls) {
    MOOR_ASSIGN_OR_RETURN(tls, TlsConfig());
  }
  std::string last_log;
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = FreeLoopbackPort();
    std::string config = "version: 0.1\n"
                         "log:\n  level: info\n  accesslog:\n    disabled: true\n"
                         "storage:\n  filesystem:\n    rootdirectory: " + (dir_ / "storage").string() +
                         "\n  delete:\n    enabled: true\n"
                         "http:\n  addr: 127.0.0.1:" + std::to_string(port_) + "\n  secret: " + RandomHex(16) + "\n" + tls +
                         auth;
    std::filesystem::path config_path = dir_ / "config.yml";
    MOOR_RETURN_IF_ERROR(WriteFileAtomic(config_path, config));
    process_ = std::make_unique<ChildProcess>(std::vector<std::string>{kRegistryBinary, "serve", config_path.string()},
                                              (dir_ / "registry.log").string());
    if (WaitFor([&] { return !process_->Running() || Answers(port_, options_.tls); }, std::chrono::seconds(20)) &&
        process_->Running()) {
      return Status::Ok();
    }
    last_log = LogTail();
    process_.reset();  // died (port taken by someone else meanwhile?) or never answered: try another port
  }
  return UnavailableError("docker-registry did not start on 127.0.0.1; its log ends with:\n" + last_log);
}

StatusOr<std::string> TestRegistry::TlsConfig() {
  MOOR_ASSIGN_OR_RETURN(auto server, TestCertificate::Create("moor test registry"));
  MOOR_RETURN_IF_ERROR(WriteFileAtomic(ca_file(), server->cert_pem()));
  MOOR_RETURN_IF_ERROR(WriteFileAtomic(dir_ / "server.key", server->key_pem(), 0600));
  std::string config = "  tls:\n    certificate: " + ca_file().string() + "\n    key: " + (dir_ / "server.key").string() + "\n";
  if (options_.client_certificates) {
    MOOR_ASSIGN_OR_RETURN(auto client, TestCertificate::Create("moor test client"));
    std::filesystem::create_directories(client_cert_file().parent_path());
    MOOR_RETURN_IF_ERROR(WriteFileAtomic(client_cert_file(), client->cert_pem()));
    MOOR_RETURN_IF_ERROR(WriteFileAtomic(client_key_file(), client->key_pem(), 0600));
    config += "    clientcas:\n      - " + client_cert_file().string() + "\n";
  }
  return config;
}

Status TestRegistry::Push(const std::filesystem::path& layout_dir, const std::string& tag, const std::string& repo_tag,
                          const std::vector<std::string>& skopeo_flags) const {
  if (::access(kSkopeo, X_OK) != 0) return FailedPreconditionError("/usr/bin/skopeo is missing: install Debian's skopeo");
  // --all: an index is pushed as it is, not narrowed to this host's platform.
  std::vector<std::string> argv = {kSkopeo, "copy", "--all", "--insecure-policy", "--dest-tls-verify=false"};
  if (options_.auth != TestRegistryOptions::Auth::kNone) {
    argv.push_back("--dest-creds=" + options_.username + ":" + options_.password);
  }
  if (options_.tls && options_.client_certificates) {
    argv.push_back("--dest-cert-dir=" + client_cert_file().parent_path().string());
  }
  argv.insert(argv.end(), skopeo_flags.begin(), skopeo_flags.end());
  argv.push_back("oci:" + layout_dir.string() + ":" + tag);
  argv.push_back("docker://" + host() + "/" + repo_tag);
  CommandResult result = RunCommand(argv, {}, "", std::chrono::seconds(120));
  if (result.exit_code != 0) {
    return UnavailableError("skopeo copy to " + host() + "/" + repo_tag + " failed (exit " +
                            std::to_string(result.exit_code) + "): " + result.err + "\nregistry log:\n" + LogTail());
  }
  return Status::Ok();
}

std::filesystem::path TestRegistry::BlobDataPath(const std::string& digest) const {
  std::string hex = digest.substr(digest.find(':') + 1);
  return dir_ / "storage" / "docker" / "registry" / "v2" / "blobs" / "sha256" / hex.substr(0, 2) / hex / "data";
}

nlohmann::json TestRegistry::MirrorConfig(const std::string& registry) const {
  return {{"mirrors", {{registry.empty() ? host() : registry, {{"endpoint", {url()}}}}}}};
}

std::string TestRegistry::LogTail() const {
  auto log = ReadFileLimited(dir_ / "registry.log", 16 << 20);
  if (!log.ok()) return "(no log)";
  return log->size() > 4000 ? log->substr(log->size() - 4000) : *log;
}

}  // namespace moor::testing
