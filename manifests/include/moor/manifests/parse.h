#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "moor/manifests/diagnostics.h"
#include "moor/manifests/object.h"

namespace moor::manifests {

struct SourcePos {
  int line = 0;    // 1-based
  int column = 0;  // 1-based
};

// Where each field of a parsed document stood in its file, by field path
// ("metadata.name", "spec.containers[0].ports[0].containerPort").
class PositionIndex {
 public:
  void Set(const std::string& field, SourcePos pos) { positions_[field] = pos; }
  // The position of `field`, else of its nearest recorded parent, else of the document.
  SourcePos Find(const std::string& field) const;

 private:
  std::map<std::string, SourcePos> positions_;
};

struct Document {
  int index = 0;          // 1-based position among the file's YAML documents
  Object object;          // the document as JSON, with YAML scalars resolved as Kubernetes does
  PositionIndex positions;
  SourcePos start;        // where the document begins
  std::string hash;       // sha256 of the document's canonical JSON (changes iff the content does)
};

struct ParseOptions {
  std::size_t max_bytes = 3 * 1024 * 1024;  // kube-apiserver's request limit
  int max_depth = 64;                       // nesting of mappings/sequences
  std::size_t max_nodes = 1000000;          // after alias expansion (alias bombs)
};

struct ParsedFile {
  std::string file;
  std::vector<Document> documents;  // empty documents (a bare `---`) are skipped
  std::vector<Diagnostic> diagnostics;
  bool ok() const { return !HasErrors(diagnostics); }
};

// Parses YAML (one or many `---` documents, block or flow style) or JSON. Never throws,
// never crashes, never hangs on hostile input: oversize files, alias bombs and deep nesting
// are refused with a diagnostic. A syntax error in any document fails the whole file.
ParsedFile ParseFile(const std::filesystem::path& path, std::string_view display_name,
                     const ParseOptions& options = {});
ParsedFile ParseContent(std::string_view display_name, std::string_view content,
                        const ParseOptions& options = {});

}  // namespace moor::manifests
