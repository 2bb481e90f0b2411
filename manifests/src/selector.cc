#include "moor/manifests/selector.h"

#include <algorithm>

#include "json_access.h"
#include "name_rules.h"

namespace moor::manifests {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Status CheckKey(std::string_view key) {
  auto problems = internal::CheckQualifiedName(key);
  if (!problems.empty()) {
    return InvalidArgumentError("invalid label key \"" + std::string(key) + "\": " + internal::JoinProblems(problems));
  }
  return Status::Ok();
}

Status CheckValue(std::string_view value) {
  auto problems = internal::CheckLabelValue(value);
  if (!problems.empty()) {
    return InvalidArgumentError("invalid label value \"" + std::string(value) + "\": " +
                                internal::JoinProblems(problems));
  }
  return Status::Ok();
}

// Splits on commas that are not inside parentheses; false on unbalanced parentheses.
bool SplitTopLevel(std::string_view text, std::vector<std::string_view>* parts) {
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '(') ++depth;
    else if (text[i] == ')') {
      if (--depth < 0) return false;
    } else if (text[i] == ',' && depth == 0) {
      parts->push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  if (depth != 0) return false;
  parts->push_back(text.substr(start));
  return true;
}

}  // namespace

StatusOr<LabelSelector> LabelSelector::Parse(std::string_view text) {
  LabelSelector selector;
  std::string_view all = Trim(text);
  if (all.empty()) return selector;
  auto fail = [&](const std::string& why) {
    return InvalidArgumentError("invalid label selector \"" + std::string(text) + "\": " + why);
  };
  std::vector<std::string_view> parts;
  if (!SplitTopLevel(all, &parts)) return fail("unbalanced parentheses");
  for (std::string_view raw : parts) {
    std::string_view part = Trim(raw);
    if (part.empty()) return fail("empty requirement");
    Requirement req;
    if (part[0] == '!') {
      req.key = std::string(Trim(part.substr(1)));
      req.op = Requirement::Op::kDoesNotExist;
    } else if (auto paren = part.find('('); paren != std::string_view::npos) {
      // key in (a,b) / key notin (a,b)
      if (part.back() != ')') return fail("expected ')' at the end of \"" + std::string(part) + "\"");
      std::string_view head = Trim(part.substr(0, paren));
      auto space = head.find_last_of(" \t");
      if (space == std::string_view::npos) return fail("expected \"in\" or \"notin\" in \"" + std::string(part) + "\"");
      std::string_view op = head.substr(space + 1);
      req.key = std::string(Trim(head.substr(0, space)));
      if (op == "in") req.op = Requirement::Op::kIn;
      else if (op == "notin") req.op = Requirement::Op::kNotIn;
      else return fail("unknown operator \"" + std::string(op) + "\", expected in or notin");
      std::string_view list = part.substr(paren + 1, part.size() - paren - 2);
      std::size_t start = 0;
      while (true) {
        std::size_t comma = list.find(',', start);
        std::string_view value = Trim(list.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
        req.values.emplace_back(value);
        if (comma == std::string_view::npos) break;
        start = comma + 1;
      }
      std::sort(req.values.begin(), req.values.end());
      req.values.erase(std::unique(req.values.begin(), req.values.end()), req.values.end());
    } else if (auto ne = part.find("!="); ne != std::string_view::npos) {
      req.key = std::string(Trim(part.substr(0, ne)));
      req.op = Requirement::Op::kNotEquals;
      req.values.emplace_back(Trim(part.substr(ne + 2)));
    } else if (auto eq = part.find('='); eq != std::string_view::npos) {
      std::size_t value_at = eq + 1;
      if (value_at < part.size() && part[value_at] == '=') ++value_at;
      req.key = std::string(Trim(part.substr(0, eq)));
      req.op = Requirement::Op::kEquals;
      req.values.emplace_back(Trim(part.substr(value_at)));
    } else {
      req.key = std::string(part);
      req.op = Requirement::Op::kExists;
    }
    if (req.key.empty()) return fail("missing key in \"" + std::string(part) + "\"");
    if (req.key.find_first_of(" \t<>") != std::string::npos) {
      return fail("unexpected characters in \"" + std::string(part) + "\"");
    }
    Status s = CheckKey(req.key);
    if (!s.ok()) return fail(s.message());
    for (const std::string& v : req.values) {
      Status vs = CheckValue(v);
      if (!vs.ok()) return fail(vs.message());
    }
    selector.requirements_.push_back(std::move(req));
  }
  std::stable_sort(selector.requirements_.begin(), selector.requirements_.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
  return selector;
}

StatusOr<LabelSelector> LabelSelector::FromObject(const Object& obj) {
  LabelSelector selector;
  if (obj.is_null()) return selector;
  if (!obj.is_object()) return InvalidArgumentError("a label selector must be an object");
  if (auto it = obj.find("matchLabels"); it != obj.end() && !it->is_null()) {
    if (!it->is_object()) return InvalidArgumentError("matchLabels must be an object");
    for (auto kv = it->begin(); kv != it->end(); ++kv) {
      if (!kv.value().is_string()) return InvalidArgumentError("matchLabels[" + kv.key() + "] must be a string");
      MOOR_RETURN_IF_ERROR(CheckKey(kv.key()));
      MOOR_RETURN_IF_ERROR(CheckValue(kv.value().get<std::string>()));
      selector.requirements_.push_back(Requirement{kv.key(), Requirement::Op::kEquals, {kv.value().get<std::string>()}});
    }
  }
  if (auto it = obj.find("matchExpressions"); it != obj.end() && !it->is_null()) {
    if (!it->is_array()) return InvalidArgumentError("matchExpressions must be a list");
    for (const Object& expr : *it) {
      if (!expr.is_object()) return InvalidArgumentError("matchExpressions items must be objects");
      std::string key = internal::StringField(expr, "key");
      std::string op = internal::StringField(expr, "operator");
      std::vector<std::string> values;
      if (auto v = expr.find("values"); v != expr.end() && v->is_array()) {
        for (const Object& s : *v) {
          if (!s.is_string()) return InvalidArgumentError("matchExpressions values must be strings");
          values.push_back(s.get<std::string>());
        }
      }
      MOOR_RETURN_IF_ERROR(CheckKey(key));
      Requirement req{key, Requirement::Op::kIn, values};
      if (op == "In" || op == "NotIn") {
        req.op = op == "In" ? Requirement::Op::kIn : Requirement::Op::kNotIn;
        if (values.empty()) return InvalidArgumentError("values: must be specified when `operator` is 'In' or 'NotIn'");
      } else if (op == "Exists" || op == "DoesNotExist") {
        req.op = op == "Exists" ? Requirement::Op::kExists : Requirement::Op::kDoesNotExist;
        if (!values.empty()) {
          return InvalidArgumentError("values: may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
        }
      } else {
        return InvalidArgumentError("operator: Unsupported value: \"" + op +
                                    "\": supported values: \"In\", \"NotIn\", \"Exists\", \"DoesNotExist\"");
      }
      for (const std::string& v : values) MOOR_RETURN_IF_ERROR(CheckValue(v));
      std::sort(req.values.begin(), req.values.end());
      req.values.erase(std::unique(req.values.begin(), req.values.end()), req.values.end());
      selector.requirements_.push_back(std::move(req));
    }
  }
  std::stable_sort(selector.requirements_.begin(), selector.requirements_.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
  return selector;
}

bool LabelSelector::Matches(const Labels& labels) const {
  for (const Requirement& req : requirements_) {
    auto it = labels.find(req.key);
    bool has = it != labels.end();
    auto in_values = [&] {
      return has && std::find(req.values.begin(), req.values.end(), it->second) != req.values.end();
    };
    switch (req.op) {
      case Requirement::Op::kEquals:
      case Requirement::Op::kIn:
        if (!in_values()) return false;
        break;
      case Requirement::Op::kNotEquals:
      case Requirement::Op::kNotIn:
        if (in_values()) return false;
        break;
      case Requirement::Op::kExists:
        if (!has) return false;
        break;
      case Requirement::Op::kDoesNotExist:
        if (has) return false;
        break;
    }
  }
  return true;
}

std::string LabelSelector::ToString() const {
  std::string out;
  for (const Requirement& req : requirements_) {
    if (!out.empty()) out += ',';
    auto list = [&] {
      std::string s = "(";
      for (std::size_t i = 0; i < req.values.size(); ++i) s += (i ? "," : "") + req.values[i];
      return s + ")";
    };
    switch (req.op) {
      case Requirement::Op::kEquals: out += req.key + "=" + req.values.front(); break;
      case Requirement::Op::kNotEquals: out += req.key + "!=" + req.values.front(); break;
      case Requirement::Op::kIn: out += req.key + " in " + list(); break;
      case Requirement::Op::kNotIn: out += req.key + " notin " + list(); break;
      case Requirement::Op::kExists: out += req.key; break;
      case Requirement::Op::kDoesNotExist: out += "!" + req.key; break;
    }
  }
  return out;
}

Labels LabelsOf(const Object& obj) {
  Labels out;
  if (!obj.is_object()) return out;
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return out;
  auto labels = meta->find("labels");
  if (labels == meta->end() || !labels->is_object()) return out;
  for (auto it = labels->begin(); it != labels->end(); ++it) {
    if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

}  // namespace moor::manifests
