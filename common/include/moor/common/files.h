#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "moor/common/status.h"

namespace moor {

// Reads a whole file. kNotFound if missing; kResourceExhausted if it is larger than
// max_bytes (the file is not read past the limit).
StatusOr<std::string> ReadFileLimited(const std::filesystem::path& path, std::size_t max_bytes);

// What a WriteFileAtomic must survive.
enum class Durability {
  kPowerLoss,     // fsync before the rename: after a machine crash the file holds the old or
                  // the new content
  kProcessCrash,  // no fsync (faster, no wait for the disk): a crash of the writer leaves the
                  // old or the new content, a power loss may leave an empty file. For files whose
                  // readers tolerate that, or that describe state a reboot wipes anyway.
};

// Writes content to path atomically (temp file in the same directory, rename), with the given
// permission bits. Either the old or the new content is visible, never a mix.
Status WriteFileAtomic(const std::filesystem::path& path, std::string_view content, mode_t mode = 0644,
                       Durability durability = Durability::kPowerLoss);

// Lower-case hex SHA-256 of data.
std::string Sha256Hex(std::string_view data);

// Cryptographically random bytes, hex-encoded (2 * bytes characters).
std::string RandomHex(std::size_t bytes);

}  // namespace moor
