#include "moor/manifests/patch.h"

#include <cctype>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "json_patch.h"
#include "strategic_merge.h"

namespace moor::manifests {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Patches are applied recursively; a bound on their nesting keeps a hostile body from
// exhausting the stack. Far above anything Kubernetes objects need.
constexpr int kMaxPatchDepth = 256;

// True if `value` nests deeper than `limit` levels of objects and lists (checked without
// recursion).
bool NestsDeeperThan(const Object& value, int limit) {
  std::vector<std::pair<const Object*, int>> stack{{&value, 1}};
  while (!stack.empty()) {
    auto [v, depth] = stack.back();
    stack.pop_back();
    if (!v->is_structured()) continue;
    if (depth > limit) return true;
    for (const Object& child : *v) stack.emplace_back(&child, depth + 1);
  }
  return false;
}

// RFC 7386: a null deletes, an object merges recursively, anything else replaces.
StatusOr<Object> ApplyMergePatch(const Object& original, const Object& patch) {
  if (!patch.is_object()) {
    std::string got = patch.dump();
    if (got.size() > 80) got = got.substr(0, 77) + "...";
    return InvalidArgumentError("a merge patch must be a JSON object, got " + got);
  }
  Object result = original;
  result.merge_patch(patch);
  return result;
}

// The media type of a Content-Type value: parameters dropped, trimmed, lower case.
std::string MediaType(std::string_view content_type) {
  return Lower(Trim(content_type.substr(0, content_type.find(';'))));
}

}  // namespace

bool IsServerSideApply(std::string_view content_type) {
  return MediaType(content_type) == "application/apply-patch+yaml";
}

std::optional<PatchType> PatchTypeFor(std::string_view content_type) {
  std::string media = MediaType(content_type);
  if (media == "application/json-patch+json") return PatchType::kJsonPatch;
  if (media == "application/merge-patch+json") return PatchType::kMergePatch;
  if (media == "application/strategic-merge-patch+json") return PatchType::kStrategicMergePatch;
  return std::nullopt;
}

StatusOr<Object> ApplyPatch(const Object& original, const Object& patch, PatchType type) {
  // The implementations check types before every access; this only keeps a defect in them
  // from escaping as an exception.
  if (NestsDeeperThan(patch, kMaxPatchDepth)) {
    return InvalidArgumentError("the patch nests objects and lists deeper than " + std::to_string(kMaxPatchDepth) +
                                " levels");
  }
  try {
    switch (type) {
      case PatchType::kJsonPatch:
        return internal::ApplyJsonPatch(original, patch);
      case PatchType::kMergePatch:
        return ApplyMergePatch(original, patch);
      case PatchType::kStrategicMergePatch:
        return internal::ApplyStrategicMergePatch(original, patch);
    }
  } catch (const std::exception& e) {
    return InternalError(std::string("applying the patch failed: ") + e.what());
  }
  return InvalidArgumentError("unknown patch type");
}

}  // namespace moor::manifests
