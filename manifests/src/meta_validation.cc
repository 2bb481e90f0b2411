#include "meta_validation.h"

#include "field_path.h"
#include "json_access.h"
#include "moor/manifests/selector.h"
#include "name_rules.h"

namespace moor::manifests::internal {
namespace {

constexpr std::size_t kTotalAnnotationSizeLimit = 256 * 1024;

std::string Quote(const std::string& s) { return Object(s).dump(); }

std::vector<std::string> CheckName(const std::string& name, NameRule rule) {
  switch (rule) {
    case NameRule::kDns1123Label: return CheckDns1123Label(name);
    case NameRule::kDns1035Label: return CheckDns1035Label(name);
    case NameRule::kPathSegment: return CheckPathSegmentName(name);
    case NameRule::kDns1123Subdomain: break;
  }
  return CheckDns1123Subdomain(name);
}

}  // namespace

void ValidateObjectMeta(const Object& obj, const KindInfo& kind, NameRule rule, Reporter& r) {
  const Object* meta = ObjectField(obj, "metadata");
  static const Object kEmpty = Object::object();
  if (meta == nullptr) meta = &kEmpty;
  std::string name = StringField(*meta, "name");
  std::string generate_name = StringField(*meta, "generateName");
  if (name.empty() && generate_name.empty()) {
    r.Error("metadata.name", "name or generateName is required");
  }
  if (!name.empty()) {
    auto problems = CheckName(name, rule);
    if (!problems.empty()) r.Error("metadata.name", "invalid name " + Quote(name) + ": " + JoinProblems(problems));
  }
  if (!generate_name.empty()) {
    // A prefix: a trailing '-' is allowed (the server appends random characters).
    std::string masked = generate_name;
    if (masked.back() == '-') masked.back() = 'a';
    auto problems = CheckName(masked, rule);
    if (!problems.empty()) {
      r.Error("metadata.generateName", "invalid prefix " + Quote(generate_name) + ": " + JoinProblems(problems));
    }
  }
  std::string ns = StringField(*meta, "namespace");
  if (!ns.empty()) {
    if (!kind.namespaced) {
      r.Warning("metadata.namespace", kind.kind + " is cluster-scoped; metadata.namespace is ignored");
    } else {
      auto problems = CheckDns1123Label(ns);
      if (!problems.empty()) {
        r.Error("metadata.namespace", "invalid namespace " + Quote(ns) + ": " + JoinProblems(problems));
      }
    }
  }
  if (const Object* labels = ObjectField(*meta, "labels")) ValidateLabels(*labels, "metadata.labels", r);
  if (const Object* ann = ObjectField(*meta, "annotations")) ValidateAnnotations(*ann, "metadata.annotations", r);
}

void ValidateLabels(const Object& labels, const std::string& path, Reporter& r) {
  for (auto it = labels.begin(); it != labels.end(); ++it) {
    std::string field = FieldKey(path, it.key());
    auto key_problems = CheckQualifiedName(it.key());
    if (!key_problems.empty()) {
      r.Error(field, "invalid label key " + Quote(it.key()) + ": " + JoinProblems(key_problems));
    }
    if (it.value().is_string()) {
      std::string value = it.value().get<std::string>();
      auto value_problems = CheckLabelValue(value);
      if (!value_problems.empty()) {
        r.Error(field, "invalid label value " + Quote(value) + ": " + JoinProblems(value_problems));
      }
    }
  }
}

void ValidateAnnotations(const Object& annotations, const std::string& path, Reporter& r) {
  std::size_t total = 0;
  for (auto it = annotations.begin(); it != annotations.end(); ++it) {
    std::string lower = it.key();
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto problems = CheckQualifiedName(lower);
    if (!problems.empty()) {
      r.Error(FieldKey(path, it.key()), "invalid annotation key " + Quote(it.key()) + ": " + JoinProblems(problems));
    }
    total += it.key().size();
    if (it.value().is_string()) total += it.value().get<std::string>().size();
  }
  if (total > kTotalAnnotationSizeLimit) {
    r.Error(path, "annotations are too long: must have at most " + std::to_string(kTotalAnnotationSizeLimit) + " bytes");
  }
}

void ValidateLabelSelector(const Object& selector, const std::string& path, Reporter& r) {
  if (const Object* ml = ObjectField(selector, "matchLabels")) ValidateLabels(*ml, FieldKey(path, "matchLabels"), r);
  auto parsed = LabelSelector::FromObject(selector);
  if (!parsed.ok()) r.Error(path, "invalid label selector: " + parsed.status().message());
}

void CheckEnum(const Object& parent, const char* key, const std::string& parent_path,
               const std::vector<std::string>& allowed, Reporter& r) {
  const Object* f = Field(parent, key);
  if (f == nullptr || !f->is_string()) return;
  std::string value = f->get<std::string>();
  for (const std::string& a : allowed) {
    if (a == value) return;
  }
  std::string list;
  for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + Quote(a);
  r.Error(FieldKey(parent_path, key), "Unsupported value: " + Quote(value) + ": supported values: " + list);
}

void CheckNonNegative(const Object& parent, const char* key, const std::string& parent_path, Reporter& r) {
  auto v = IntField(parent, key);
  if (v && *v < 0) r.Error(FieldKey(parent_path, key), "must be greater than or equal to 0 (got " + std::to_string(*v) + ")");
}

void CheckDnsLabelField(const Object& parent, const char* key, const std::string& parent_path, Reporter& r) {
  std::string v = StringField(parent, key);
  if (v.empty()) return;
  auto problems = CheckDns1123Label(v);
  if (!problems.empty()) r.Error(FieldKey(parent_path, key), "invalid value " + Quote(v) + ": " + JoinProblems(problems));
}

void CheckDnsSubdomainField(const Object& parent, const char* key, const std::string& parent_path, Reporter& r) {
  std::string v = StringField(parent, key);
  if (v.empty()) return;
  auto problems = CheckDns1123Subdomain(v);
  if (!problems.empty()) r.Error(FieldKey(parent_path, key), "invalid value " + Quote(v) + ": " + JoinProblems(problems));
}

}  // namespace moor::manifests::internal
