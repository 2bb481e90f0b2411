#pragma once

#include <memory>
#include <string>

#include "moor/common/status.h"

namespace moor::testing {

// A fresh RSA-2048 key with a self-signed certificate (valid from an hour ago for a week),
// for the token server's signing key and for TLS on 127.0.0.1 (subjectAltName IP:127.0.0.1).
class TestCertificate {
 public:
  static StatusOr<std::unique_ptr<TestCertificate>> Create(const std::string& common_name);
  ~TestCertificate();
  TestCertificate(const TestCertificate&) = delete;
  TestCertificate& operator=(const TestCertificate&) = delete;

  const std::string& cert_pem() const { return cert_pem_; }
  const std::string& key_pem() const { return key_pem_; }
  const std::string& cert_der() const { return cert_der_; }
  // RSASSA-PKCS1-v1_5 with SHA-256 (JWT "RS256").
  std::string SignRs256(const std::string& input) const;

 private:
  TestCertificate() = default;
  struct Key;
  std::unique_ptr<Key> key_;
  std::string cert_pem_;
  std::string key_pem_;
  std::string cert_der_;
};

}  // namespace moor::testing
