#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "moor/common/status.h"
#include "test_certificate.h"

namespace moor::testing {

// A Docker registry token server (the `auth: token:` flow of distribution) on 127.0.0.1:<port>,
// in a thread of the test process. GET /token?service=..&scope=..&scope=.. with the right
// basic credentials answers {"token": <JWT>}; the JWT is RS256-signed by a fresh self-signed
// key, carries the certificate in its x5c header and grants every scope asked for. Without or
// with wrong credentials it answers 401 {"details": "..."} as Docker Hub's auth server does.
class TokenServer {
 public:
  static constexpr const char* kIssuer = "moor-test-token-issuer";
  static constexpr const char* kService = "moor-test-registry";

  // Writes the signing certificate to `cert_path` (the registry's rootcertbundle) and starts.
  static StatusOr<std::unique_ptr<TokenServer>> Start(const std::filesystem::path& cert_path, std::string username,
                                                      std::string password);
  ~TokenServer();
  TokenServer(const TokenServer&) = delete;
  TokenServer& operator=(const TokenServer&) = delete;

  std::string realm() const { return "http://127.0.0.1:" + std::to_string(port_) + "/token"; }

 private:
  TokenServer(std::unique_ptr<TestCertificate> key, std::string username, std::string password);
  void Serve();
  void Handle(int fd);
  std::string Answer(const std::string& request);

  std::unique_ptr<TestCertificate> key_;
  std::string username_;
  std::string password_;
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  int port_ = 0;
  std::thread thread_;
};

}  // namespace moor::testing
