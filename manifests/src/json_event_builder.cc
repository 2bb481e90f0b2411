#include "json_event_builder.h"

#include <cmath>
#include <utility>

#include "field_path.h"
#include "scalar_resolver.h"

namespace moor::manifests::internal {
namespace {

const char* JsonTypeName(const Object& v) {
  if (v.is_object()) return "object";
  if (v.is_array()) return "list";
  if (v.is_string()) return "string";
  if (v.is_boolean()) return "boolean";
  if (v.is_null()) return "null";
  return "number";
}

}  // namespace

void JsonEventBuilder::StartDocument() {
  stack_.clear();
  anchors_.clear();
  suppress_positions_ = 0;
  has_root_ = false;
  root_ = Object();
  positions_ = PositionIndex();
  start_ = SourcePos{};
}

void JsonEventBuilder::Fail(const YAML::Mark& mark, std::string message) const {
  throw BuildError{Pos(mark), stack_.empty() ? std::string() : ChildPath(), std::move(message)};
}

void JsonEventBuilder::CountNodes(const YAML::Mark& mark, std::size_t n) {
  nodes_ += n;
  if (nodes_ > options_.max_nodes) {
    Fail(mark, "document too large: more than " + std::to_string(options_.max_nodes) +
                   " nodes after expanding aliases");
  }
}

std::string JsonEventBuilder::ChildPath() const {
  if (stack_.empty()) return "";
  const Frame& top = stack_.back();
  if (top.is_map) return top.have_key ? FieldKey(top.path, top.key) : top.path;
  return FieldIndex(top.path, top.value.size());
}

void JsonEventBuilder::Record(const std::string& path, SourcePos pos) {
  if (suppress_positions_ == 0) positions_.Set(path, pos);
}

void JsonEventBuilder::OnDocumentStart(const YAML::Mark& mark) {
  start_ = Pos(mark);
  positions_.Set("", start_);
}

void JsonEventBuilder::AddKey(const std::string& tag, const std::string& text, const YAML::Mark& mark) {
  Frame& top = stack_.back();
  ResolvedScalar r = ResolveScalar(tag, text);
  std::string key;
  switch (r.type) {
    case ResolvedScalar::Type::kString: key = r.string_value; break;
    case ResolvedScalar::Type::kInt: key = std::to_string(r.int_value); break;
    case ResolvedScalar::Type::kUint: key = std::to_string(r.uint_value); break;
    case ResolvedScalar::Type::kBool: key = r.bool_value ? "true" : "false"; break;
    case ResolvedScalar::Type::kNull: key = "null"; break;
    case ResolvedScalar::Type::kFloat: key = text; break;
    case ResolvedScalar::Type::kError: Fail(mark, r.string_value);
  }
  top.key_is_merge = (tag == "?" || tag.empty()) && text == "<<";
  top.have_key = true;
  top.key = key;
  top.key_pos = Pos(mark);
  if (!top.key_is_merge) {
    auto [it, inserted] = top.key_lines.emplace(key, mark.line + 1);
    if (!inserted) {
      Fail(mark, "duplicate key \"" + key + "\" (first set on line " + std::to_string(it->second) + ")");
    }
    Record(FieldKey(top.path, key), top.key_pos);
  }
}

void JsonEventBuilder::AddValue(Object value, const YAML::Mark& mark, YAML::anchor_t anchor, std::size_t nodes) {
  if (anchor != 0) anchors_[anchor] = Anchored{value, nodes};
  if (stack_.empty()) {
    has_root_ = true;
    root_ = std::move(value);
    return;
  }
  Frame& top = stack_.back();
  if (!top.is_map) {
    Record(FieldIndex(top.path, top.value.size()), Pos(mark));
    top.value.push_back(std::move(value));
    return;
  }
  top.have_key = false;
  if (top.key_is_merge) {
    bool ok = value.is_object();
    if (value.is_array()) {
      ok = true;
      for (const auto& item : value) ok = ok && item.is_object();
    }
    if (!ok) Fail(mark, std::string("merge key << needs a mapping or a list of mappings, got ") + JsonTypeName(value));
    top.merges.push_back(std::move(value));
    return;
  }
  top.value[top.key] = std::move(value);
}

void JsonEventBuilder::OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) {
  if (ExpectingKey()) {
    AddKey("?", "", mark);
    return;
  }
  CountNodes(mark, 1);
  AddValue(nullptr, mark, anchor, 1);
}

void JsonEventBuilder::OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) {
  auto it = anchors_.find(anchor);
  if (it == anchors_.end()) Fail(mark, "alias to an unknown anchor");
  if (ExpectingKey()) {
    if (!it->second.value.is_string()) Fail(mark, "mapping keys must be scalars");
    AddKey("!", it->second.value.get<std::string>(), mark);
    return;
  }
  CountNodes(mark, it->second.nodes);
  Object copy = it->second.value;
  AddValue(std::move(copy), mark, 0, it->second.nodes);
}

void JsonEventBuilder::OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                                const std::string& value) {
  if (ExpectingKey()) {
    AddKey(tag, value, mark);
    if (anchor != 0) anchors_[anchor] = Anchored{Object(stack_.back().key), 1};
    return;
  }
  CountNodes(mark, 1);
  ResolvedScalar r = ResolveScalar(tag, value);
  Object v;
  switch (r.type) {
    case ResolvedScalar::Type::kNull: v = nullptr; break;
    case ResolvedScalar::Type::kBool: v = r.bool_value; break;
    case ResolvedScalar::Type::kInt: v = r.int_value; break;
    case ResolvedScalar::Type::kUint: v = r.uint_value; break;
    case ResolvedScalar::Type::kString: v = std::move(r.string_value); break;
    case ResolvedScalar::Type::kError: Fail(mark, r.string_value);
    case ResolvedScalar::Type::kFloat: {
      double f = r.float_value;
      if (!std::isfinite(f)) Fail(mark, "\"" + value + "\" is not representable in JSON (infinity or NaN)");
      // Kubernetes sees the JSON encoding of the float, where integral values have no
      // fraction: 1e3 reads as the integer 1000.
      if (std::floor(f) == f && std::fabs(f) < 9.2e18) {
        v = static_cast<std::int64_t>(f);
      } else {
        v = f;
      }
      break;
    }
  }
  AddValue(std::move(v), mark, anchor, 1);
}

void JsonEventBuilder::StartCollection(const YAML::Mark& mark, YAML::anchor_t anchor, bool is_map) {
  if (ExpectingKey()) Fail(mark, "mapping keys must be scalars");
  CountNodes(mark, 1);
  if (static_cast<int>(stack_.size()) + 1 > options_.max_depth) {
    Fail(mark, "nesting deeper than " + std::to_string(options_.max_depth) + " levels");
  }
  Frame frame;
  frame.is_map = is_map;
  frame.value = is_map ? Object::object() : Object::array();
  frame.anchor = anchor;
  frame.nodes_at_start = nodes_;
  if (!stack_.empty()) {
    const Frame& top = stack_.back();
    frame.path = ChildPath();
    frame.under_merge = top.is_map && top.key_is_merge;
  }
  frame.start_mark = mark;
  if (frame.under_merge) ++suppress_positions_;
  stack_.push_back(std::move(frame));
}

void JsonEventBuilder::EndCollection() {
  Frame frame = std::move(stack_.back());
  stack_.pop_back();
  if (frame.under_merge) --suppress_positions_;
  if (frame.is_map) {
    // Explicit keys win over merged ones; earlier merge sources win over later ones.
    for (const Object& source : frame.merges) {
      std::vector<const Object*> maps;
      if (source.is_object()) maps.push_back(&source);
      else for (const auto& m : source) maps.push_back(&m);
      for (const Object* m : maps) {
        for (auto it = m->begin(); it != m->end(); ++it) {
          if (!frame.value.contains(it.key())) frame.value[it.key()] = it.value();
        }
      }
    }
  }
  std::size_t nodes = nodes_ - frame.nodes_at_start + 1;
  AddValue(std::move(frame.value), frame.start_mark, frame.anchor, nodes);
}

void JsonEventBuilder::OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                                       YAML::EmitterStyle::value) {
  StartCollection(mark, anchor, false);
}

void JsonEventBuilder::OnSequenceEnd() { EndCollection(); }

void JsonEventBuilder::OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                                  YAML::EmitterStyle::value) {
  StartCollection(mark, anchor, true);
}

void JsonEventBuilder::OnMapEnd() { EndCollection(); }

}  // namespace moor::manifests::internal
