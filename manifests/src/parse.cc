#include "moor/manifests/parse.h"

#include <exception>
#include <sstream>

#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include "json_event_builder.h"
#include "moor/common/files.h"
#include "nesting_prescan.h"

namespace moor::manifests {
namespace {

Diagnostic MakeError(std::string_view file, int document, SourcePos pos, std::string field, std::string message) {
  Diagnostic d;
  d.severity = Severity::kError;
  d.file = std::string(file);
  d.line = pos.line;
  d.column = pos.column;
  d.document = document;
  d.field = std::move(field);
  d.message = std::move(message);
  return d;
}

const char* TypeName(const Object& v) {
  if (v.is_array()) return "list";
  if (v.is_string()) return "string";
  if (v.is_boolean()) return "boolean";
  return "number";
}

}  // namespace

SourcePos PositionIndex::Find(const std::string& field) const {
  std::string path = field;
  while (true) {
    auto it = positions_.find(path);
    if (it != positions_.end()) return it->second;
    if (path.empty()) return SourcePos{};
    std::size_t cut = path.back() == ']' ? path.rfind('[') : path.rfind('.');
    if (cut == std::string::npos) cut = 0;
    path.resize(cut);
  }
}

ParsedFile ParseContent(std::string_view display_name, std::string_view content, const ParseOptions& options) {
  ParsedFile out;
  out.file = std::string(display_name);
  if (content.size() > options.max_bytes) {
    out.diagnostics.push_back(MakeError(display_name, 0, {}, "",
                                        "file is " + std::to_string(content.size()) + " bytes, over the limit of " +
                                            std::to_string(options.max_bytes) + " bytes"));
    return out;
  }
  internal::NestingViolation violation;
  if (internal::ExceedsNesting(content, options.max_depth, &violation)) {
    out.diagnostics.push_back(MakeError(display_name, 0, SourcePos{violation.line, violation.column}, "",
                                        "nesting deeper than " + std::to_string(options.max_depth) + " levels"));
    return out;
  }

  std::istringstream stream{std::string(content)};
  internal::JsonEventBuilder builder(options);
  int index = 0;
  try {
    YAML::Parser parser(stream);
    while (true) {
      builder.StartDocument();
      ++index;
      if (!parser.HandleNextDocument(builder)) break;
      if (!builder.has_root() || builder.root().is_null()) continue;  // empty document
      if (!builder.root().is_object()) {
        out.diagnostics.push_back(MakeError(display_name, index, builder.start(), "",
                                            std::string("a manifest must be a mapping (object), got ") +
                                                TypeName(builder.root())));
        continue;
      }
      Document doc;
      doc.index = index;
      doc.object = std::move(builder.root());
      doc.positions = std::move(builder.positions());
      doc.start = builder.start();
      doc.hash = Sha256Hex(doc.object.dump());
      out.documents.push_back(std::move(doc));
    }
  } catch (const internal::BuildError& e) {
    out.diagnostics.push_back(MakeError(display_name, index, e.pos, e.field, e.message));
  } catch (const YAML::Exception& e) {
    SourcePos pos = e.mark.is_null() ? SourcePos{} : SourcePos{e.mark.line + 1, e.mark.column + 1};
    out.diagnostics.push_back(MakeError(display_name, index, pos, "", "YAML syntax error: " + e.msg));
  } catch (const std::exception& e) {
    out.diagnostics.push_back(MakeError(display_name, index, {}, "", std::string("cannot parse: ") + e.what()));
  }
  if (!out.ok()) out.documents.clear();  // a syntax error anywhere fails the whole file
  return out;
}

ParsedFile ParseFile(const std::filesystem::path& path, std::string_view display_name, const ParseOptions& options) {
  StatusOr<std::string> content = ReadFileLimited(path, options.max_bytes);
  if (!content.ok()) {
    ParsedFile out;
    out.file = std::string(display_name);
    std::string message = content.status().code() == StatusCode::kResourceExhausted
                              ? "file is over the limit of " + std::to_string(options.max_bytes) + " bytes"
                              : content.status().message();
    out.diagnostics.push_back(MakeError(display_name, 0, {}, "", message));
    return out;
  }
  return ParseContent(display_name, *content, options);
}

}  // namespace moor::manifests
