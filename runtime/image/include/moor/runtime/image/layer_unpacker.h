#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "moor/common/status.h"

namespace moor::runtime {

// The path of a layer entry relative to the layer root, lexically cleaned ("./a//b/../c" ->
// "a/c", "/etc/passwd" -> "etc/passwd", "." -> ""), or nullopt when a ".." would climb above
// the root ("../x", "a/../../x", "/../x").
std::optional<std::string> CleanEntryPath(std::string_view name);

// Unpacks a layer archive (tar, uncompressed or gzip / zstd / xz / bzip2 compressed) into
// `dest_dir`, an existing empty directory, as an overlayfs lower layer:
//  - owners (numeric ids only, never looked up by name), modes, times, xattrs, symlinks,
//    hardlinks, device nodes and fifos are preserved (owners and devices need root);
//  - a whiteout `.wh.<name>` becomes a 0/0 character device <name> (unless this layer itself has
//    an entry <name>, which OCI says the whiteout does not hide);
//  - `.wh..wh..opq` sets trusted.overlay.opaque=y on its directory;
//  - other `.wh..wh.*` (aufs metadata) and trusted.overlay.* xattrs from the archive are dropped.
// An entry whose path or hardlink target escapes the layer, or that would be written through a
// symlink, fails the whole unpack with kInvalidArgument naming the entry. On failure `dest_dir`
// holds a partial tree: callers unpack into a temporary directory and rename it on success.
Status UnpackLayer(const std::filesystem::path& archive_path, const std::filesystem::path& dest_dir);

}  // namespace moor::runtime
