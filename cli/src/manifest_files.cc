#include "manifest_files.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <iterator>

#include "moor/manifests/kinds.h"
#include "moor/manifests/load.h"

namespace moor::cli {
namespace {

bool IsManifestName(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  return (ext == ".yaml" || ext == ".yml" || ext == ".json") && p.filename().string().front() != '.';
}

}  // namespace

StatusOr<std::vector<std::string>> ExpandManifestPaths(const std::vector<std::string>& args, bool recursive) {
  std::vector<std::string> out;
  for (const std::string& arg : args) {
    std::error_code ec;
    if (arg == "-" || !std::filesystem::is_directory(arg, ec)) {
      if (arg != "-" && !std::filesystem::exists(arg, ec)) {
        return NotFoundError("the path \"" + arg + "\" does not exist");
      }
      out.push_back(arg);
      continue;
    }
    std::vector<std::string> found;
    auto add = [&](const std::filesystem::directory_entry& e) {
      if (e.is_regular_file() && IsManifestName(e.path())) found.push_back(e.path().string());
    };
    if (recursive) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(arg, ec)) add(e);
    } else {
      for (const auto& e : std::filesystem::directory_iterator(arg, ec)) add(e);
    }
    if (ec) return UnavailableError("cannot read directory " + arg + ": " + ec.message());
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

StatusOr<std::vector<manifests::Document>> LoadForClient(const std::string& path, const std::string& default_ns) {
  manifests::ParsedFile parsed;
  if (path == "-") {
    std::string content((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    parsed = manifests::ParseContent("STDIN", content);
  } else {
    parsed = manifests::ParseFile(path, path);
  }
  std::vector<manifests::Diagnostic> diagnostics = parsed.diagnostics;
  for (manifests::Document& doc : parsed.documents) {
    const manifests::KindInfo* kind = manifests::FindKind(manifests::ApiVersionOf(doc.object), manifests::KindOf(doc.object));
    if (kind != nullptr && kind->namespaced && !default_ns.empty() && doc.object.is_object()) {
      std::string current = manifests::NamespaceOf(doc.object);
      if (current.empty()) {
        doc.object["metadata"]["namespace"] = default_ns;
      } else if (current != default_ns) {
        diagnostics.push_back({manifests::Severity::kError, parsed.file, doc.positions.Find("metadata.namespace").line,
                               doc.positions.Find("metadata.namespace").column, doc.index, "metadata.namespace",
                               "the namespace from the provided object \"" + current +
                                   "\" does not match the namespace \"" + default_ns + "\""});
      }
    }
    auto found = manifests::Validate(doc, parsed.file);
    diagnostics.insert(diagnostics.end(), found.begin(), found.end());
  }
  for (const auto& d : diagnostics) std::cerr << d.ToString() << "\n";
  if (manifests::HasErrors(diagnostics)) {
    return InvalidArgumentError(path + ": not applied (fix the errors above)");
  }
  return std::move(parsed.documents);
}

}  // namespace moor::cli
