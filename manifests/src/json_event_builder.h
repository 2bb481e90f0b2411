#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/mark.h>

#include "moor/manifests/parse.h"

namespace moor::manifests::internal {

// Thrown from inside yaml-cpp's callbacks to stop parsing; caught by ParseContent and
// turned into a Diagnostic. Never escapes the library.
struct BuildError {
  SourcePos pos;
  std::string field;
  std::string message;
};

// Builds one YAML document as JSON from yaml-cpp's parse events, resolving scalars as
// Kubernetes does, recording every field's position, expanding aliases and `<<` merge keys.
// Enforces ParseOptions: nesting deeper than max_depth and more than max_nodes nodes
// (counted after alias expansion, across the whole file) throw BuildError before the
// parser descends further. Not thread-safe; one instance per file.
class JsonEventBuilder final : public YAML::EventHandler {
 public:
  explicit JsonEventBuilder(const ParseOptions& options) : options_(options) {}

  // Resets per-document state; the node budget keeps counting across documents.
  void StartDocument();
  bool has_root() const { return has_root_; }
  Object& root() { return root_; }
  PositionIndex& positions() { return positions_; }
  SourcePos start() const { return start_; }

  void OnDocumentStart(const YAML::Mark& mark) override;
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override;
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override;
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override;
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override;
  void OnSequenceEnd() override;
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override;
  void OnMapEnd() override;

 private:
  struct Anchored {
    Object value;
    std::size_t nodes = 0;
  };
  struct Frame {
    bool is_map = false;
    Object value;
    std::string path;
    YAML::anchor_t anchor = 0;
    YAML::Mark start_mark;
    std::size_t nodes_at_start = 0;
    bool under_merge = false;  // this collection is the value of a `<<` key
    // Mapping state.
    bool have_key = false;
    bool key_is_merge = false;
    std::string key;
    SourcePos key_pos;
    std::map<std::string, int> key_lines;  // explicit keys and the line each was first set on
    std::vector<Object> merges;            // `<<` values, merged at the end of the mapping
  };

  static SourcePos Pos(const YAML::Mark& mark) { return SourcePos{mark.line + 1, mark.column + 1}; }
  [[noreturn]] void Fail(const YAML::Mark& mark, std::string message) const;
  void CountNodes(const YAML::Mark& mark, std::size_t n);
  // Where the next value goes: its field path, and whether it is a mapping key.
  bool ExpectingKey() const { return !stack_.empty() && stack_.back().is_map && !stack_.back().have_key; }
  std::string ChildPath() const;
  void StartCollection(const YAML::Mark& mark, YAML::anchor_t anchor, bool is_map);
  void EndCollection();
  void AddValue(Object value, const YAML::Mark& mark, YAML::anchor_t anchor, std::size_t nodes);
  void AddKey(const std::string& tag, const std::string& text, const YAML::Mark& mark);
  void Record(const std::string& path, SourcePos pos);

  const ParseOptions& options_;
  std::size_t nodes_ = 0;
  std::map<YAML::anchor_t, Anchored> anchors_;
  std::vector<Frame> stack_;
  int suppress_positions_ = 0;  // > 0 inside merge values and alias copies
  bool has_root_ = false;
  Object root_;
  PositionIndex positions_;
  SourcePos start_;
};

}  // namespace moor::manifests::internal
