#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "moor/manifests/diagnostics.h"
#include "moor/manifests/parse.h"

namespace moor::manifests::internal {

// Collects the diagnostics for one document, locating each field path through the
// document's PositionIndex. Does not own the document or the output vector.
class Reporter {
 public:
  Reporter(std::string_view file, const Document& doc, bool strict, std::vector<Diagnostic>* out)
      : file_(file), doc_(doc), strict_(strict), out_(out) {}

  void Error(const std::string& field, std::string message) { Add(Severity::kError, field, std::move(message)); }
  void Warning(const std::string& field, std::string message) { Add(Severity::kWarning, field, std::move(message)); }
  // `unknown field "spec.templat"`: a warning, or an error in strict mode.
  void UnknownField(const std::string& field) {
    Add(strict_ ? Severity::kError : Severity::kWarning, field, "unknown field \"" + field + "\"");
    out_->back().unknown_field = true;
  }
  int errors() const { return errors_; }

 private:
  void Add(Severity severity, const std::string& field, std::string message) {
    Diagnostic d;
    d.severity = severity;
    d.file = std::string(file_);
    SourcePos pos = doc_.positions.Find(field);
    d.line = pos.line;
    d.column = pos.column;
    d.document = doc_.index;
    d.field = field;
    d.message = std::move(message);
    if (severity == Severity::kError) ++errors_;
    out_->push_back(std::move(d));
  }

  std::string_view file_;
  const Document& doc_;
  bool strict_;
  std::vector<Diagnostic>* out_;
  int errors_ = 0;
};

}  // namespace moor::manifests::internal
