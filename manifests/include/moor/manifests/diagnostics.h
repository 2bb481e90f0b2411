#pragma once

#include <string>
#include <vector>

namespace moor::manifests {

enum class Severity { kError, kWarning };

// One problem found in a manifest, located as precisely as the input allows.
struct Diagnostic {
  Severity severity = Severity::kError;
  std::string file;     // as the user named it ("web.yaml", "request body")
  int line = 0;         // 1-based; 0 when unknown
  int column = 0;       // 1-based; 0 when unknown
  int document = 0;     // 1-based index of the YAML document in the file; 0 when unknown
  std::string field;    // "spec.template.spec.containers[0].ports[0].containerPort"; "" for the whole document
  std::string message;  // "expected integer, got \"http\""
  bool unknown_field = false;  // a field the kind's schema does not have (an error only when strict)

  // "web.yaml:14:7: spec.template.spec.containers[0].ports[0].containerPort: expected integer,
  // got \"http\" (document 1)"; warnings say "warning: " before the field.
  std::string ToString() const;
};

bool HasErrors(const std::vector<Diagnostic>& diagnostics);

}  // namespace moor::manifests
