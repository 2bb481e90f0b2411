#include "schema.h"

#include <cstddef>
#include <stdexcept>

#include "field_path.h"
#include "moor/manifests/quantity.h"

namespace moor::manifests::internal {

extern const char* const kK8sSchemaJsonChunks[];
extern const std::size_t kK8sSchemaJsonChunkCount;

namespace {

std::string Describe(const Object& v) {
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (s.size() > 60) s = s.substr(0, 57) + "...";
    return Object(s).dump();
  }
  if (v.is_boolean()) return "boolean";
  if (v.is_number_integer()) return "integer";
  if (v.is_number()) return "number";
  if (v.is_array()) return "list";
  if (v.is_object()) return "object";
  return "null";
}

}  // namespace

const Schema& Schema::Get() {
  static const Schema* schema = new Schema();
  return *schema;
}

Schema::Schema() {
  std::string text;
  for (std::size_t i = 0; i < kK8sSchemaJsonChunkCount; ++i) text += kK8sSchemaJsonChunks[i];
  // The embedded JSON is produced by our own generator at build time; a parse failure is a
  // build defect, so let it terminate loudly rather than validate against nothing.
  Object data = Object::parse(text);
  for (auto it = data["classes"].begin(); it != data["classes"].end(); ++it) {
    auto cls = std::make_unique<Class>();
    cls->name = it.key();
    classes_[it.key()] = std::move(cls);
  }
  for (auto it = data["classes"].begin(); it != data["classes"].end(); ++it) {
    Class& cls = *classes_[it.key()];
    for (auto f = it.value()["fields"].begin(); f != it.value()["fields"].end(); ++f) {
      cls.fields[f.key()] = ParseType(f.value().get<std::string>());
    }
    for (const Object& r : it.value()["required"]) cls.required.push_back(r.get<std::string>());
  }
  for (auto it = data["kinds"].begin(); it != data["kinds"].end(); ++it) {
    roots_[it.key()] = classes_.at(it.value().get<std::string>()).get();
  }
}

std::shared_ptr<const Schema::Type> Schema::ParseType(std::string_view text) {
  auto type = std::make_shared<Type>();
  using K = Type::Kind;
  if (text.substr(0, 5) == "list[" && text.back() == ']') {
    type->kind = K::kList;
    type->element = ParseType(text.substr(5, text.size() - 6));
  } else if (text.substr(0, 5) == "dict(" && text.back() == ')') {
    std::string_view inner = text.substr(5, text.size() - 6);
    std::string_view value = inner.substr(inner.find(',') + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    type->kind = K::kMap;
    type->element = ParseType(value);
  } else if (text == "str") {
    type->kind = K::kString;
  } else if (text == "int") {
    type->kind = K::kInt;
  } else if (text == "float") {
    type->kind = K::kFloat;
  } else if (text == "bool") {
    type->kind = K::kBool;
  } else if (text == "object") {
    type->kind = K::kAny;
  } else if (text == "datetime" || text == "date") {
    type->kind = K::kDateTime;
  } else if (text == "quantity") {
    type->kind = K::kQuantity;
  } else if (text == "intOrString") {
    type->kind = K::kIntOrString;
  } else {
    auto it = classes_.find(std::string(text));
    if (it == classes_.end()) throw std::runtime_error("schema: unknown type " + std::string(text));
    type->kind = K::kClass;
    type->cls = it->second.get();
  }
  return type;
}

const Schema::Class* Schema::RootFor(std::string_view api_version, std::string_view kind) const {
  std::string key = std::string(api_version) + "/" + std::string(kind);
  auto it = roots_.find(key);
  return it == roots_.end() ? nullptr : it->second;
}

void Schema::Check(const Object& value, const Class& cls, const std::string& path, Reporter& reporter) const {
  Type t;
  t.kind = Type::Kind::kClass;
  t.cls = &cls;
  CheckValue(value, t, path, reporter);
}

void Schema::CheckValue(const Object& value, const Type& type, const std::string& path, Reporter& reporter) const {
  using K = Type::Kind;
  if (value.is_null()) return;
  auto expect = [&](const char* what) { reporter.Error(path, std::string("expected ") + what + ", got " + Describe(value)); };
  switch (type.kind) {
    case K::kAny:
      return;
    case K::kString:
    case K::kDateTime:
      if (!value.is_string()) expect("string");
      return;
    case K::kInt:
      if (!value.is_number_integer()) expect("integer");
      return;
    case K::kFloat:
      if (!value.is_number()) expect("number");
      return;
    case K::kBool:
      if (!value.is_boolean()) expect("boolean");
      return;
    case K::kIntOrString:
      if (!value.is_number_integer() && !value.is_string()) expect("integer or string");
      return;
    case K::kQuantity: {
      if (!value.is_string() && !value.is_number()) {
        expect("quantity (string or number)");
        return;
      }
      auto q = Quantity::FromJson(value);
      if (!q.ok()) reporter.Error(path, q.status().message());
      return;
    }
    case K::kList:
      if (!value.is_array()) {
        expect("list");
        return;
      }
      for (std::size_t i = 0; i < value.size(); ++i) CheckValue(value[i], *type.element, FieldIndex(path, i), reporter);
      return;
    case K::kMap:
      if (!value.is_object()) {
        expect("object");
        return;
      }
      for (auto it = value.begin(); it != value.end(); ++it) {
        CheckValue(it.value(), *type.element, FieldKey(path, it.key()), reporter);
      }
      return;
    case K::kClass: {
      if (!value.is_object()) {
        expect("object");
        return;
      }
      for (auto it = value.begin(); it != value.end(); ++it) {
        auto f = type.cls->fields.find(it.key());
        std::string child = FieldKey(path, it.key());
        if (f == type.cls->fields.end()) {
          reporter.UnknownField(child);
          continue;
        }
        CheckValue(it.value(), *f->second, child, reporter);
      }
      for (const std::string& r : type.cls->required) {
        auto it = value.find(r);
        if (it == value.end() || it->is_null()) {
          reporter.Error(FieldKey(path, r), "missing required field \"" + r + "\"");
        }
      }
      return;
    }
  }
}

void Schema::Normalize(Object& value, const Class& cls) const {
  Type t;
  t.kind = Type::Kind::kClass;
  t.cls = &cls;
  NormalizeIn(value, t);
}

void Schema::NormalizeIn(Object& value, const Type& type) const {
  using K = Type::Kind;
  if (type.kind == K::kQuantity && (value.is_string() || value.is_number())) {
    auto q = Quantity::FromJson(value);
    if (q.ok()) value = q->ToString();
  } else if (type.kind == K::kList && value.is_array()) {
    for (Object& item : value) NormalizeIn(item, *type.element);
  } else if (type.kind == K::kMap && value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) NormalizeIn(it.value(), *type.element);
  } else if (type.kind == K::kClass && value.is_object()) {
    for (auto it = value.begin(); it != value.end();) {
      if (it.value().is_null()) {
        it = value.erase(it);
        continue;
      }
      auto f = type.cls->fields.find(it.key());
      if (f != type.cls->fields.end()) NormalizeIn(it.value(), *f->second);
      ++it;
    }
  }
}

}  // namespace moor::manifests::internal
