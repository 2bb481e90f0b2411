#include "moor/runtime/image/registry_error.h"

#include <cctype>

#include <nlohmann/json.hpp>

namespace moor::runtime {
namespace {

// "MANIFEST_UNKNOWN" -> "manifest unknown", as errcode.ErrorCode.Error() prints it.
std::string CodeWords(std::string code) {
  for (char& c : code) c = c == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return code;
}

std::string StringField(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string WordsFromJson(const nlohmann::json& body) {
  if (!body.is_object()) return "";
  std::string out;
  auto errors = body.find("errors");
  if (errors != body.end() && errors->is_array()) {
    for (const auto& e : *errors) {
      if (!e.is_object()) continue;
      std::string code = StringField(e, "code");
      std::string message = StringField(e, "message");
      std::string one = code.empty() ? message : message.empty() ? CodeWords(code) : CodeWords(code) + ": " + message;
      if (one.empty()) continue;
      out += (out.empty() ? "" : "; ") + one;
    }
    if (!out.empty()) return out;
  }
  for (const char* key : {"details", "message", "error_description", "error"}) {
    std::string text = StringField(body, key);
    if (!text.empty()) return text;
  }
  return "";
}

std::string PlainText(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, 200)) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (!std::isprint(static_cast<unsigned char>(c))) return "";
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

StatusCode CodeFor(long status) {
  if (status == 401) return StatusCode::kUnauthenticated;
  if (status == 403) return StatusCode::kPermissionDenied;
  if (status == 404) return StatusCode::kNotFound;
  if (status == 408 || status == 429 || status >= 500) return StatusCode::kUnavailable;
  return StatusCode::kInvalidArgument;
}

}  // namespace

Status RegistryError(long http_status, std::string_view body, std::string_view context) {
  std::string words = WordsFromJson(nlohmann::json::parse(body, nullptr, false));
  if (words.empty()) {
    words = "HTTP " + std::to_string(http_status);
    std::string text = PlainText(body);
    if (!text.empty()) words += ": " + text;
  }
  std::string message = context.empty() ? words : std::string(context) + ": " + words;
  return Status(CodeFor(http_status), message);
}

}  // namespace moor::runtime
