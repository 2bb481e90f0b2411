#include "moor/manifests/load.h"

#include "moor/common/files.h"

namespace moor::manifests {
namespace {

LoadedFile Finish(ParsedFile parsed, const LoadOptions& options) {
  LoadedFile out;
  out.file = parsed.file;
  out.diagnostics = std::move(parsed.diagnostics);
  for (Document& doc : parsed.documents) {
    std::vector<Diagnostic> found = Validate(doc, out.file, options);
    bool doc_ok = !HasErrors(found);
    out.diagnostics.insert(out.diagnostics.end(), found.begin(), found.end());
    if (!doc_ok) continue;
    ApplyDefaults(doc.object);
    doc.hash = Sha256Hex(doc.object.dump());
    out.documents.push_back(std::move(doc));
  }
  if (!out.ok()) out.documents.clear();  // a file applies all of its objects or none
  return out;
}

}  // namespace

LoadedFile LoadFile(const std::filesystem::path& path, std::string_view display_name, const LoadOptions& options) {
  return Finish(ParseFile(path, display_name, options.parse), options);
}

LoadedFile LoadContent(std::string_view display_name, std::string_view content, const LoadOptions& options) {
  return Finish(ParseContent(display_name, content, options.parse), options);
}

}  // namespace moor::manifests
