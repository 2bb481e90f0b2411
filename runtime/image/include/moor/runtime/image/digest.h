#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "moor/common/status.h"

namespace moor::runtime {

// Content digests as the OCI image spec writes them: "sha256:<64 lowercase hex>". moor stores
// and verifies sha256 only (what every registry and `docker save` use).

// OK for "sha256:<64 lowercase hex>"; kInvalidArgument otherwise ("unsupported digest algorithm",
// "invalid checksum digest length", "invalid checksum digest format").
Status ValidateDigest(std::string_view digest);

// The hex part of a validated digest ("sha256:abc..." -> "abc...").
std::string_view DigestHex(std::string_view digest);

// "sha256:" + sha256 of data.
std::string DigestOf(std::string_view data);

// "sha256:" + sha256 of the file's contents. kNotFound / kUnavailable on I/O errors.
StatusOr<std::string> DigestOfFile(const std::filesystem::path& path);

// Incremental sha256, for blobs streamed to disk.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void Update(const void* data, std::size_t size);
  // "sha256:<hex>" of everything passed to Update. Call once.
  std::string Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace moor::runtime
