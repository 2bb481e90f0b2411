#include "describer.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace moor::cli {
namespace {

// "revisionHistoryLimit" -> "Revision History Limit"; "uid" -> "UID" as kubectl does.
std::string Words(const std::string& key) {
  static const char* kUpper[] = {"uid", "ip", "ips", "url", "api", "cpu", "dns", "tls", "id"};
  for (const char* u : kUpper) {
    if (key == u) {
      std::string out = key;
      for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return out;
    }
  }
  std::string out;
  for (std::size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    bool upper = std::isupper(static_cast<unsigned char>(c));
    bool prev_lower = i > 0 && std::islower(static_cast<unsigned char>(key[i - 1]));
    if (i > 0 && upper && prev_lower) out += ' ';
    out += i == 0 ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
  }
  return out;
}

std::string Scalar(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "<nil>";
  return v.dump();
}

void Tree(const nlohmann::json& v, int indent, std::string& out) {
  std::string pad(static_cast<std::size_t>(indent), ' ');
  if (v.is_object()) {
    std::size_t width = 0;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (!it->is_structured()) width = std::max(width, Words(it.key()).size());
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      std::string key = Words(it.key());
      if (it->is_structured() && !it->empty()) {
        out += pad + key + ":\n";
        Tree(*it, indent + 2, out);
      } else if (it->is_structured()) {
        out += pad + key + ":\n";
      } else {
        out += pad + key + ":" + std::string(width - key.size() + 2, ' ') + Scalar(*it) + "\n";
      }
    }
  } else if (v.is_array()) {
    for (const auto& item : v) {
      if (item.is_structured()) {
        Tree(item, indent, out);
      } else {
        out += pad + Scalar(item) + "\n";
      }
    }
  } else {
    out += pad + Scalar(v) + "\n";
  }
}

std::string Pairs(const nlohmann::json& map, const std::string& indent) {
  if (!map.is_object() || map.empty()) return "<none>\n";
  std::string out;
  bool first = true;
  for (auto it = map.begin(); it != map.end(); ++it) {
    out += (first ? "" : indent) + it.key() + "=" + Scalar(*it) + "\n";
    first = false;
  }
  return out;
}

}  // namespace

std::string Describe(const nlohmann::json& obj, const nlohmann::json& events, WallTime now) {
  const nlohmann::json meta = obj.value("metadata", nlohmann::json::object());
  const std::string indent(14, ' ');
  auto field = [](const std::string& name) { return name + ":" + std::string(name.size() < 13 ? 13 - name.size() : 1, ' '); };
  std::string out;
  out += field("Name") + meta.value("name", "") + "\n";
  if (meta.contains("namespace")) out += field("Namespace") + meta.value("namespace", "") + "\n";
  out += field("Labels") + Pairs(meta.value("labels", nlohmann::json::object()), indent);
  out += field("Annotations") + Pairs(meta.value("annotations", nlohmann::json::object()), indent);
  out += "CreationTimestamp:  " + meta.value("creationTimestamp", "") + "\n";
  out += field("API Version") + obj.value("apiVersion", "") + "\n";
  out += field("Kind") + obj.value("kind", "") + "\n";
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (it.key() == "apiVersion" || it.key() == "kind" || it.key() == "metadata") continue;
    if (it->is_structured()) {
      out += Words(it.key()) + ":";
      out += it->empty() ? "\n" : "\n";
      Tree(*it, 2, out);
    } else {
      out += Words(it.key()) + ":  " + Scalar(*it) + "\n";
    }
  }
  const nlohmann::json items = events.value("items", nlohmann::json::array());
  if (items.empty()) {
    out += "Events:       <none>\n";
    return out;
  }
  std::vector<std::vector<std::string>> rows = {{"Type", "Reason", "Age", "From", "Message"},
                                                {"----", "------", "----", "----", "-------"}};
  std::vector<nlohmann::json> sorted(items.begin(), items.end());
  std::sort(sorted.begin(), sorted.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return a.value("lastTimestamp", "") < b.value("lastTimestamp", "");
  });
  for (const auto& e : sorted) {
    std::string age = "<unknown>";
    auto last = ParseRfc3339(e.value("lastTimestamp", ""));
    if (last.ok()) {
      age = HumanDuration(std::chrono::duration_cast<std::chrono::seconds>(now - *last));
      int count = e.value("count", 1);
      if (count > 1) age += " (x" + std::to_string(count) + ")";
    }
    std::string from = e.value("source", nlohmann::json::object()).value("component", "");
    rows.push_back({e.value("type", ""), e.value("reason", ""), age, from, e.value("message", "")});
  }
  std::vector<std::size_t> widths(5, 0);
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i) widths[i] = std::max(widths[i], r[i].size());
  }
  out += "Events:\n";
  for (const auto& r : rows) {
    std::string line = "  ";
    for (std::size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(widths[i] - r[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace moor::cli
