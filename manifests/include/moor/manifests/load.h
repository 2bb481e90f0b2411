#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "moor/manifests/diagnostics.h"
#include "moor/manifests/parse.h"

namespace moor::manifests {

struct LoadOptions {
  ParseOptions parse;
  bool strict = false;  // unknown fields are errors instead of warnings
};

// Validates one parsed document as kube-apiserver would for its kind: supported
// apiVersion/kind, schema types and required fields, names and labels, selectors matching
// templates, port ranges, quantities, duplicate list entries. Unknown fields are warnings
// (errors when strict). Every diagnostic carries file, line, column, document and field.
std::vector<Diagnostic> Validate(const Document& doc, std::string_view file, const LoadOptions& options = {});

// Fills in what kube-apiserver defaults for the object's kind (namespace "default",
// Deployment strategy 25%/25%, revisionHistoryLimit 10, imagePullPolicy, protocol TCP, ...).
// Idempotent. Leaves server-set metadata (uid, resourceVersion, ...) alone.
void ApplyDefaults(Object& obj);

// Parse + Validate + ApplyDefaults. `documents` hold the defaulted objects (each hash
// recomputed after defaulting); when the file has any error, ok() is false and
// `documents` is empty: a file applies all of its objects or none.
struct LoadedFile {
  std::string file;
  std::vector<Document> documents;
  std::vector<Diagnostic> diagnostics;
  bool ok() const { return !HasErrors(diagnostics); }
};
LoadedFile LoadFile(const std::filesystem::path& path, std::string_view display_name, const LoadOptions& options = {});
LoadedFile LoadContent(std::string_view display_name, std::string_view content, const LoadOptions& options = {});

}  // namespace moor::manifests
