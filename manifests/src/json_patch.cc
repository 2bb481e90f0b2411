#include "json_patch.h"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace moor::manifests::internal {
namespace {

using Tokens = std::vector<std::string>;

// A JSON value for a message, cut short.
std::string Brief(const Object& v) {
  std::string s = v.dump();
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

std::string Quote(std::string_view s) { return Object(std::string(s)).dump(); }

// RFC 6901: "" is the whole document, else "/" followed by tokens separated by "/", in which
// "~1" stands for "/" and "~0" for "~".
std::optional<Tokens> ParsePointer(std::string_view text) {
  Tokens tokens;
  if (text.empty()) return tokens;
  if (text.front() != '/') return std::nullopt;
  std::string token;
  for (std::size_t i = 1; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '/') {
      tokens.push_back(std::move(token));
      token.clear();
    } else if (text[i] == '~') {
      if (i + 1 >= text.size() || (text[i + 1] != '0' && text[i + 1] != '1')) return std::nullopt;
      token += text[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      token += text[i];
    }
  }
  return tokens;
}

// An array index token: digits without leading zeros. nullopt for anything else ("-" too).
std::optional<std::size_t> ArrayIndex(const std::string& token) {
  if (token.empty() || token.size() > 18) return std::nullopt;
  if (token.size() > 1 && token.front() == '0') return std::nullopt;
  std::size_t index = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return std::nullopt;
    index = index * 10 + static_cast<std::size_t>(c - '0');
  }
  return index;
}

// The value `tokens` points at, or nullptr if there is none.
Object* Resolve(Object& doc, const Tokens& tokens, std::size_t count) {
  Object* at = &doc;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string& token = tokens[i];
    if (at->is_object()) {
      auto it = at->find(token);
      if (it == at->end()) return nullptr;
      at = &*it;
    } else if (at->is_array()) {
      std::optional<std::size_t> index = ArrayIndex(token);
      if (!index || *index >= at->size()) return nullptr;
      at = &(*at)[*index];
    } else {
      return nullptr;
    }
  }
  return at;
}

// One operation, checked for form before any is applied.
struct Op {
  std::size_t index = 0;
  std::string name;
  std::string path_text;
  Tokens path;
  std::string from_text;
  Tokens from;
  const Object* value = nullptr;
};

class JsonPatcher {
 public:
  explicit JsonPatcher(Object doc) : doc_(std::move(doc)) {}

  Status Apply(const Op& op) {
    op_ = &op;
    if (op.name == "add") return Add(op.path, op.path_text, *op.value);
    if (op.name == "remove") return Remove(op.path, op.path_text).status();
    if (op.name == "replace") return Replace(op);
    if (op.name == "move") return Move(op);
    if (op.name == "copy") return Copy(op);
    return Test(op);
  }

  Object Take() && { return std::move(doc_); }

 private:
  Status Fail(const std::string& what) const {
    return FailedPreconditionError("json patch op " + std::to_string(op_->index) + " (" + Quote(op_->name) +
                                   "): " + what);
  }

  Status Add(const Tokens& path, const std::string& text, const Object& value) {
    if (path.empty()) {
      doc_ = value;
      return Status::Ok();
    }
    Object* parent = Resolve(doc_, path, path.size() - 1);
    if (parent == nullptr) return Fail("the parent of path " + Quote(text) + " does not exist");
    const std::string& last = path.back();
    if (parent->is_object()) {
      (*parent)[last] = value;
      return Status::Ok();
    }
    if (!parent->is_array()) return Fail("path " + Quote(text) + " goes into a value that is not an object or a list");
    if (last == "-") {
      parent->push_back(value);
      return Status::Ok();
    }
    std::optional<std::size_t> index = ArrayIndex(last);
    if (!index) return Fail("path " + Quote(text) + ": " + Quote(last) + " is not a list index");
    if (*index > parent->size()) {
      return Fail("path " + Quote(text) + ": index " + last + " is out of range (the list has " +
                  std::to_string(parent->size()) + " elements)");
    }
    parent->insert(parent->begin() + static_cast<std::ptrdiff_t>(*index), value);
    return Status::Ok();
  }

  // Removes the value at `path` and returns it.
  StatusOr<Object> Remove(const Tokens& path, const std::string& text) {
    if (path.empty()) return Fail("cannot remove the whole object");
    Object* parent = Resolve(doc_, path, path.size() - 1);
    const std::string& last = path.back();
    if (parent != nullptr && parent->is_object()) {
      auto it = parent->find(last);
      if (it == parent->end()) return Fail("path " + Quote(text) + " does not exist");
      Object removed = std::move(*it);
      parent->erase(it);
      return removed;
    }
    if (parent != nullptr && parent->is_array()) {
      std::optional<std::size_t> index = ArrayIndex(last);
      if (!index || *index >= parent->size()) {
        return Fail("path " + Quote(text) + " does not exist (the list has " + std::to_string(parent->size()) +
                    " elements)");
      }
      Object removed = std::move((*parent)[*index]);
      parent->erase(*index);
      return removed;
    }
    return Fail("path " + Quote(text) + " does not exist");
  }

  Status Replace(const Op& op) {
    Object* target = Resolve(doc_, op.path, op.path.size());
    if (target == nullptr) return Fail("path " + Quote(op.path_text) + " does not exist");
    *target = *op.value;
    return Status::Ok();
  }

  Status Move(const Op& op) {
    if (op.from == op.path) {
      if (Resolve(doc_, op.from, op.from.size()) == nullptr) return Fail("from " + Quote(op.from_text) + " does not exist");
      return Status::Ok();
    }
    if (op.from.size() < op.path.size() && std::equal(op.from.begin(), op.from.end(), op.path.begin())) {
      return Fail("cannot move " + Quote(op.from_text) + " into its own child " + Quote(op.path_text));
    }
    if (Resolve(doc_, op.from, op.from.size()) == nullptr) return Fail("from " + Quote(op.from_text) + " does not exist");
    StatusOr<Object> value = Remove(op.from, op.from_text);
    if (!value.ok()) return value.status();
    return Add(op.path, op.path_text, *value);
  }

  Status Copy(const Op& op) {
    Object* source = Resolve(doc_, op.from, op.from.size());
    if (source == nullptr) return Fail("from " + Quote(op.from_text) + " does not exist");
    Object value = *source;
    return Add(op.path, op.path_text, value);
  }

  Status Test(const Op& op) {
    Object* target = Resolve(doc_, op.path, op.path.size());
    if (target == nullptr) return Fail("path " + Quote(op.path_text) + " does not exist");
    if (*target != *op.value) {
      return Fail("test failed: the value at " + Quote(op.path_text) + " is " + Brief(*target) + ", not " +
                  Brief(*op.value));
    }
    return Status::Ok();
  }

  Object doc_;
  const Op* op_ = nullptr;
};

StatusOr<Op> ParseOp(const Object& item, std::size_t index) {
  std::string where = "json patch op " + std::to_string(index);
  if (!item.is_object()) return InvalidArgumentError(where + ": expected an object with \"op\" and \"path\", got " + Brief(item));
  Op op;
  op.index = index;
  auto name = item.find("op");
  if (name == item.end() || !name->is_string()) return InvalidArgumentError(where + ": missing \"op\" (a string)");
  op.name = name->get<std::string>();
  where += " (" + Quote(op.name) + ")";
  if (op.name != "add" && op.name != "remove" && op.name != "replace" && op.name != "move" && op.name != "copy" &&
      op.name != "test") {
    return InvalidArgumentError(where + ": unknown op; expected add, remove, replace, move, copy or test");
  }
  auto pointer = [&](const char* member, std::string* text, Tokens* tokens) -> Status {
    auto it = item.find(member);
    if (it == item.end() || !it->is_string()) {
      return InvalidArgumentError(where + ": missing \"" + member + "\" (a JSON pointer string)");
    }
    *text = it->get<std::string>();
    std::optional<Tokens> parsed = ParsePointer(*text);
    if (!parsed) {
      return InvalidArgumentError(where + ": \"" + member + "\" " + Quote(*text) +
                                  " is not a JSON pointer (\"\" or \"/a/b\", with ~0 for ~ and ~1 for /)");
    }
    *tokens = std::move(*parsed);
    return Status::Ok();
  };
  MOOR_RETURN_IF_ERROR(pointer("path", &op.path_text, &op.path));
  if (op.name == "move" || op.name == "copy") MOOR_RETURN_IF_ERROR(pointer("from", &op.from_text, &op.from));
  if (op.name == "add" || op.name == "replace" || op.name == "test") {
    auto value = item.find("value");
    if (value == item.end()) return InvalidArgumentError(where + ": missing \"value\"");
    op.value = &*value;
  }
  return op;
}

}  // namespace

StatusOr<Object> ApplyJsonPatch(const Object& original, const Object& patch) {
  if (!patch.is_array()) {
    return InvalidArgumentError("a json patch must be a list of operations like {\"op\":\"add\",\"path\":\"/a\",\"value\":1}, got " +
                                Brief(patch));
  }
  std::vector<Op> ops;
  ops.reserve(patch.size());
  for (std::size_t i = 0; i < patch.size(); ++i) {
    MOOR_ASSIGN_OR_RETURN(Op op, ParseOp(patch[i], i));
    ops.push_back(std::move(op));
  }
  JsonPatcher patcher(original);
  for (const Op& op : ops) MOOR_RETURN_IF_ERROR(patcher.Apply(op));
  return std::move(patcher).Take();
}

}  // namespace moor::manifests::internal
