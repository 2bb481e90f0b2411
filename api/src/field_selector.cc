#include "moor/api/field_selector.h"

#include <set>

namespace moor::api {
namespace {

std::string Trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && s[b] == ' ') ++b;
  while (e > b && s[e - 1] == ' ') --e;
  return std::string(s.substr(b, e - b));
}

// The value of a dotted path as a string ("" when missing; numbers printed).
std::string FieldValue(const manifests::Object& obj, const std::string& field) {
  const manifests::Object& v = manifests::FieldAt(obj, field);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

bool Supported(std::string_view kind, const std::string& field) {
  if (field == "metadata.name" || field == "metadata.namespace") return true;
  static const std::set<std::string> kEvent = {
      "involvedObject.kind",     "involvedObject.namespace",       "involvedObject.name",
      "involvedObject.uid",      "involvedObject.apiVersion",      "involvedObject.resourceVersion",
      "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"};
  static const std::set<std::string> kPod = {"spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                                             "spec.serviceAccountName", "status.phase", "status.podIP",
                                             "status.nominatedNodeName"};
  if (kind == "Event") return kEvent.count(field) > 0;
  if (kind == "Pod") return kPod.count(field) > 0;
  if (kind == "Secret") return field == "type";
  if (kind == "Namespace") return field == "status.phase";
  if (kind == "Node") return field == "spec.unschedulable";
  if (kind == "ReplicaSet" || kind == "Job") return field == "status.replicas" || field == "status.successful";
  return false;
}

}  // namespace

StatusOr<FieldSelector> FieldSelector::Parse(std::string_view text, std::string_view kind) {
  FieldSelector selector;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find(',', i);
    if (j == std::string_view::npos) j = text.size();
    std::string term = Trim(text.substr(i, j - i));
    i = j + 1;
    if (term.empty()) continue;
    Term t;
    size_t op = term.find("!=");
    size_t len = 2;
    if (op != std::string::npos) {
      t.equals = false;
    } else if ((op = term.find("==")) != std::string::npos) {
      len = 2;
    } else if ((op = term.find('=')) != std::string::npos) {
      len = 1;
    } else {
      return InvalidArgumentError("invalid selector: '" + std::string(text) + "'; can't understand '" + term + "'");
    }
    t.field = Trim(term.substr(0, op));
    t.value = Trim(term.substr(op + len));
    if (!Supported(kind, t.field)) {
      return InvalidArgumentError("field label not supported: " + t.field);
    }
    selector.terms_.push_back(std::move(t));
  }
  return selector;
}

bool FieldSelector::Matches(const manifests::Object& obj) const {
  for (const auto& t : terms_) {
    std::string value;
    if (t.field == "source") {
      value = FieldValue(obj, "source.component");
    } else {
      value = FieldValue(obj, t.field);
    }
    if ((value == t.value) != t.equals) return false;
  }
  return true;
}

std::string FieldSelector::RequiredName() const {
  for (const auto& t : terms_) {
    if (t.field == "metadata.name" && t.equals) return t.value;
  }
  return "";
}

}  // namespace moor::api
