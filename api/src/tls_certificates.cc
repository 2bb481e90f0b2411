#include <arpa/inet.h>
#include <sys/stat.h>

#include <chrono>
#include <memory>
#include <system_error>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "moor/api/tls.h"
#include "moor/common/files.h"
#include "moor/common/log.h"

namespace moor::api {
namespace {

namespace fs = std::filesystem;

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Free>;
using CertPtr = std::unique_ptr<X509, Free>;
using BioPtr = std::unique_ptr<BIO, Free>;

constexpr long kTenYears = 10L * 365 * 24 * 3600;
constexpr size_t kMaxPem = 1 << 20;

bool IsIpAddress(const std::string& host, unsigned char* out, int* len) {
  if (inet_pton(AF_INET, host.c_str(), out) == 1) {
    *len = 4;
    return true;
  }
  if (inet_pton(AF_INET6, host.c_str(), out) == 1) {
    *len = 16;
    return true;
  }
  return false;
}

StatusOr<KeyPtr> NewKey() {
  KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return InternalError("generating an ECDSA P-256 key failed");
  return key;
}

Status AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, Free> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return InternalError(std::string("adding certificate extension ") + OBJ_nid2sn(nid) + " failed");
  }
  return Status::Ok();
}

// A v3 certificate skeleton: random positive serial, validity from one hour ago, subject CN.
StatusOr<CertPtr> NewCert(EVP_PKEY* key, const std::string& cn) {
  CertPtr cert(X509_new());
  if (!cert) return InternalError("X509_new failed");
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof(serial)) != 1) return InternalError("RAND_bytes failed");
  serial[0] &= 0x7f;  // positive
  serial[0] |= 0x01;  // no leading zero byte
  BIGNUM* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), kTenYears);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                             0);
  return cert;
}

StatusOr<std::string> KeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return InternalError("encoding a private key failed");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

StatusOr<std::string> CertPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return InternalError("encoding a certificate failed");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

StatusOr<KeyPtr> ReadKey(const fs::path& path) {
  MOOR_ASSIGN_OR_RETURN(std::string pem, ReadFileLimited(path, kMaxPem));
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return InvalidArgumentError(path.string() + ": not a PEM private key");
  return key;
}

StatusOr<CertPtr> ReadCert(const fs::path& path) {
  MOOR_ASSIGN_OR_RETURN(std::string pem, ReadFileLimited(path, kMaxPem));
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  CertPtr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return InvalidArgumentError(path.string() + ": not a PEM certificate");
  return cert;
}

std::vector<std::string> SanHosts(const std::vector<std::string>& hosts) {
  std::vector<std::string> all = {"127.0.0.1", "::1", "localhost"};
  for (const auto& h : hosts) {
    if (h.empty() || h == "0.0.0.0" || h == "::") continue;  // wildcard listen: not a name
    bool seen = false;
    for (const auto& a : all) seen = seen || a == h;
    if (!seen) all.push_back(h);
  }
  return all;
}

// True if every host is among the certificate's SANs.
bool CoversHosts(X509* cert, const std::vector<std::string>& hosts) {
  for (const auto& host : hosts) {
    unsigned char ip[16];
    int ip_len = 0;
    int rc = IsIpAddress(host, ip, &ip_len) ? X509_check_ip(cert, ip, static_cast<size_t>(ip_len), 0)
                                            : X509_check_host(cert, host.c_str(), host.size(), 0, nullptr);
    if (rc != 1) return false;
  }
  return true;
}

Status WriteCa(const ServingCertificates& files, KeyPtr* ca_key, CertPtr* ca_cert) {
  MOOR_ASSIGN_OR_RETURN(*ca_key, NewKey());
  long now = static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
  MOOR_ASSIGN_OR_RETURN(*ca_cert, NewCert(ca_key->get(), "moor-server-ca@" + std::to_string(now)));
  X509* cert = ca_cert->get();
  X509_set_issuer_name(cert, X509_get_subject_name(cert));
  MOOR_RETURN_IF_ERROR(AddExtension(cert, cert, NID_basic_constraints, "critical,CA:TRUE"));
  MOOR_RETURN_IF_ERROR(AddExtension(cert, cert, NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign"));
  MOOR_RETURN_IF_ERROR(AddExtension(cert, cert, NID_subject_key_identifier, "hash"));
  if (X509_sign(cert, ca_key->get(), EVP_sha256()) == 0) return InternalError("signing the CA certificate failed");
  MOOR_ASSIGN_OR_RETURN(std::string key_pem, KeyPem(ca_key->get()));
  MOOR_ASSIGN_OR_RETURN(std::string cert_pem, CertPem(cert));
  MOOR_RETURN_IF_ERROR(WriteFileAtomic(files.ca_key, key_pem, 0600));
  MOOR_RETURN_IF_ERROR(WriteFileAtomic(files.ca_cert, cert_pem, 0644));
  return Status::Ok();
}

Status WriteServing(const ServingCertificates& files, EVP_PKEY* ca_key, X509* ca_cert,
                    const std::vector<std::string>& hosts) {
  MOOR_ASSIGN_OR_RETURN(KeyPtr key, NewKey());
  MOOR_ASSIGN_OR_RETURN(CertPtr cert, NewCert(key.get(), "moor"));
  X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert));
  MOOR_RETURN_IF_ERROR(AddExtension(cert.get(), ca_cert, NID_basic_constraints, "critical,CA:FALSE"));
  MOOR_RETURN_IF_ERROR(AddExtension(cert.get(), ca_cert, NID_key_usage, "critical,digitalSignature,keyEncipherment"));
  MOOR_RETURN_IF_ERROR(AddExtension(cert.get(), ca_cert, NID_ext_key_usage, "serverAuth"));
  MOOR_RETURN_IF_ERROR(AddExtension(cert.get(), ca_cert, NID_authority_key_identifier, "keyid:always"));
  std::string san;
  for (const auto& host : hosts) {
    unsigned char ip[16];
    int len = 0;
    if (!san.empty()) san += ",";
    san += (IsIpAddress(host, ip, &len) ? "IP:" : "DNS:") + host;
  }
  MOOR_RETURN_IF_ERROR(AddExtension(cert.get(), ca_cert, NID_subject_alt_name, san.c_str()));
  if (X509_sign(cert.get(), ca_key, EVP_sha256()) == 0) return InternalError("signing the serving certificate failed");
  MOOR_ASSIGN_OR_RETURN(std::string key_pem, KeyPem(key.get()));
  MOOR_ASSIGN_OR_RETURN(std::string cert_pem, CertPem(cert.get()));
  MOOR_RETURN_IF_ERROR(WriteFileAtomic(files.serving_key, key_pem, 0600));
  MOOR_RETURN_IF_ERROR(WriteFileAtomic(files.serving_cert, cert_pem, 0644));
  return Status::Ok();
}

}  // namespace

StatusOr<ServingCertificates> EnsureServingCertificates(const fs::path& dir, const std::vector<std::string>& hosts) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return UnavailableError("creating " + dir.string() + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
  ServingCertificates files;
  files.ca_cert = dir / "server-ca.crt";
  files.ca_key = dir / "server-ca.key";
  files.serving_cert = dir / "serving.crt";
  files.serving_key = dir / "serving.key";
  std::vector<std::string> san_hosts = SanHosts(hosts);

  KeyPtr ca_key;
  CertPtr ca_cert;
  auto existing_key = ReadKey(files.ca_key);
  auto existing_cert = ReadCert(files.ca_cert);
  bool ca_new = false;
  if (existing_key.ok() && existing_cert.ok() && X509_check_private_key(existing_cert->get(), existing_key->get()) == 1) {
    ca_key = std::move(existing_key).value();
    ca_cert = std::move(existing_cert).value();
  } else {
    LogInfo("generating the server CA", {{"dir", dir.string()}});
    MOOR_RETURN_IF_ERROR(WriteCa(files, &ca_key, &ca_cert));
    ca_new = true;
  }

  bool serving_ok = false;
  if (!ca_new) {
    auto key = ReadKey(files.serving_key);
    auto cert = ReadCert(files.serving_cert);
    serving_ok = key.ok() && cert.ok() && X509_check_private_key(cert->get(), key->get()) == 1 &&
                 X509_verify(cert->get(), ca_key.get()) == 1 && CoversHosts(cert->get(), san_hosts);
  }
  if (!serving_ok) {
    LogInfo("generating the serving certificate", {{"dir", dir.string()}});
    MOOR_RETURN_IF_ERROR(WriteServing(files, ca_key.get(), ca_cert.get(), san_hosts));
  }
  MOOR_ASSIGN_OR_RETURN(files.ca_pem, ReadFileLimited(files.ca_cert, kMaxPem));
  return files;
}

}  // namespace moor::api
