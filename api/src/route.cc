#include "moor/api/route.h"

#include <charconv>
#include <vector>

namespace moor::api {
namespace {

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

bool Serves(const manifests::KindInfo& kind, const std::string& version) {
  for (const auto& v : kind.versions) {
    if (v == version) return true;
  }
  return false;
}

bool GroupVersionServed(const std::string& group, const std::string& version) {
  for (const auto& kind : manifests::SupportedKinds()) {
    if (kind.group == group && Serves(kind, version)) return true;
  }
  return false;
}

// Parses the part after /api/v1 or /apis/<group>/<version>.
Route ParseResourcePath(const std::string& group, const std::string& version, const std::vector<std::string>& rest) {
  Route route;
  route.group = group;
  route.version = version;
  if (rest.empty()) {
    route.type = Route::Type::kGroupVersion;
    return route;
  }
  auto resource = [&](const std::string& plural) -> const manifests::KindInfo* {
    const manifests::KindInfo* kind = manifests::FindKindByResource(group, plural);
    if (kind == nullptr || !Serves(*kind, version)) return nullptr;
    return kind;
  };
  // /namespaces/{ns}/{plural}[/{name}[/status|/log|/scale]]
  if (rest.size() >= 3 && rest[0] == "namespaces") {
    const manifests::KindInfo* kind = resource(rest[2]);
    if (kind == nullptr || !kind->namespaced || rest.size() > 5) return Route{};
    if (rest.size() == 5 && ((rest[4] == "log" && kind->kind == "Pod") || (rest[4] == "scale" && kind->has_scale))) {
      route.type = rest[4] == "log" ? Route::Type::kPodLog : Route::Type::kScale;
      route.kind = kind;
      route.ns = rest[1];
      route.name = rest[3];
      return route;
    }
    if (rest.size() == 5 && (rest[4] != "status" || !kind->has_status)) return Route{};
    route.type = Route::Type::kResource;
    route.kind = kind;
    route.ns = rest[1];
    if (rest.size() >= 4) route.name = rest[3];
    route.status = rest.size() == 5;
    return route;
  }
  // /{plural}[/{name}[/status]]: all namespaces, or a cluster-scoped kind
  const manifests::KindInfo* kind = resource(rest[0]);
  if (kind == nullptr || rest.size() > 3) return Route{};
  if (kind->namespaced && rest.size() > 1) return Route{};  // a namespaced object needs its namespace
  if (rest.size() == 3 && (rest[2] != "status" || !kind->has_status)) return Route{};
  route.type = Route::Type::kResource;
  route.kind = kind;
  if (rest.size() >= 2) route.name = rest[1];
  route.status = rest.size() == 3;
  return route;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// /moor/v1/images, /moor/v1/images/<name...>, /moor/v1/images:import|prune
Route ParseImagesRoute(std::string_view rest) {
  Route route;
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty()) {
    route.type = Route::Type::kImages;
  } else if (rest.front() == ':') {
    std::string_view action = rest.substr(1);
    if (action != "import" && action != "prune") return route;
    route.type = Route::Type::kImages;
    route.action = std::string(action);
  } else if (rest.front() == '/' && rest.size() > 1) {
    route.type = Route::Type::kImages;
    route.name = std::string(rest.substr(1));
  }
  return route;
}

}  // namespace

Route ParseRoute(std::string_view path) {
  constexpr std::string_view kImagesPrefix = "/moor/v1/images";
  if (path.substr(0, kImagesPrefix.size()) == kImagesPrefix) return ParseImagesRoute(path.substr(kImagesPrefix.size()));
  std::vector<std::string> parts = SplitPath(path);
  Route route;
  if (parts.empty()) return route;
  if (parts.size() == 1) {
    const std::string& p = parts[0];
    if (p == "healthz" || p == "livez" || p == "readyz") route.type = Route::Type::kHealth;
    if (p == "version") route.type = Route::Type::kVersion;
    if (p == "metrics") route.type = Route::Type::kMetrics;
    if (p == "api") route.type = Route::Type::kCoreVersions;
    if (p == "apis") route.type = Route::Type::kGroupList;
    return route;
  }
  if ((parts[0] == "healthz" || parts[0] == "livez" || parts[0] == "readyz") && parts.size() == 2) {
    route.type = Route::Type::kHealth;  // /healthz/ping and friends
    return route;
  }
  if (parts.size() == 3 && parts[0] == "moor" && parts[1] == "v1" && parts[2] == "status") {
    route.type = Route::Type::kMoorStatus;
    return route;
  }
  if (parts[0] == "openapi" && parts[1] == "v3") {
    if (parts.size() == 2) {
      route.type = Route::Type::kOpenApiIndex;
    } else if (parts.size() == 4 && parts[2] == "api" && GroupVersionServed("", parts[3])) {
      route.type = Route::Type::kOpenApiDoc;
      route.version = parts[3];
    } else if (parts.size() == 5 && parts[2] == "apis" && GroupVersionServed(parts[3], parts[4])) {
      route.type = Route::Type::kOpenApiDoc;
      route.group = parts[3];
      route.version = parts[4];
    }
    return route;
  }
  if (parts[0] == "api") {
    if (!GroupVersionServed("", parts[1])) return route;
    return ParseResourcePath("", parts[1], std::vector<std::string>(parts.begin() + 2, parts.end()));
  }
  if (parts[0] == "apis" && parts.size() >= 3) {
    if (!GroupVersionServed(parts[1], parts[2])) return route;
    return ParseResourcePath(parts[1], parts[2], std::vector<std::string>(parts.begin() + 3, parts.end()));
  }
  return route;
}

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int hi = HexValue(text[i + 1]);
      int lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::optional<int64_t> ParseInt64(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::map<std::string, std::string> ParseQuery(std::string_view raw_query) {
  std::map<std::string, std::string> query;
  size_t i = 0;
  while (i <= raw_query.size()) {
    size_t j = raw_query.find('&', i);
    if (j == std::string_view::npos) j = raw_query.size();
    std::string_view pair = raw_query.substr(i, j - i);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      std::string key = PercentDecode(pair.substr(0, eq), true);
      std::string value = eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1), true);
      query[key] = value;
    }
    i = j + 1;
  }
  return query;
}

bool QueryFlag(const std::map<std::string, std::string>& query, const std::string& key) {
  auto it = query.find(key);
  if (it == query.end()) return false;
  return it->second.empty() || it->second == "1" || it->second == "true" || it->second == "True";
}

}  // namespace moor::api
