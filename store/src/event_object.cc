#include "event_object.h"

#include "moor/common/files.h"

namespace moor::store {
namespace {

// Leaves room for ".<16 hex>" within the 253-character name limit.
constexpr size_t kMaxNamePrefix = 200;

}  // namespace

std::string EventNamespace(const EventInput& input) { return input.involved.ns.empty() ? "default" : input.involved.ns; }

std::string EventName(const EventInput& input) {
  std::string prefix;
  for (char c : input.involved.name) {
    if (prefix.size() >= kMaxNamePrefix) break;
    if (c >= 'A' && c <= 'Z') {
      prefix += static_cast<char>(c - 'A' + 'a');
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-') {
      prefix += c;
    } else {
      prefix += '-';
    }
  }
  // A DNS subdomain starts and ends with an alphanumeric character.
  while (!prefix.empty() && (prefix.front() == '.' || prefix.front() == '-')) prefix.erase(prefix.begin());
  while (!prefix.empty() && (prefix.back() == '.' || prefix.back() == '-')) prefix.pop_back();
  if (prefix.empty()) prefix = "event";
  Object identity = Object::array({input.involved.kind, input.involved.ns, input.involved.name, input.field_path,
                                   input.type, input.reason, input.message});
  std::string hash = Sha256Hex(identity.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  return prefix + "." + hash.substr(0, 16);
}

Object NewEventObject(const EventInput& input, WallTime now) {
  Object involved = Object::object();
  if (!input.involved_api_version.empty()) involved["apiVersion"] = input.involved_api_version;
  involved["kind"] = input.involved.kind;
  if (!input.involved.ns.empty()) involved["namespace"] = input.involved.ns;
  involved["name"] = input.involved.name;
  if (!input.involved_uid.empty()) involved["uid"] = input.involved_uid;
  if (!input.field_path.empty()) involved["fieldPath"] = input.field_path;

  std::string timestamp = FormatRfc3339(now);
  Object event = Object::object();
  event["apiVersion"] = "v1";
  event["kind"] = "Event";
  event["metadata"] = Object{{"name", EventName(input)}, {"namespace", EventNamespace(input)}};
  event["involvedObject"] = std::move(involved);
  event["reason"] = input.reason;
  event["message"] = input.message;
  event["type"] = input.type;
  event["count"] = 1;
  event["firstTimestamp"] = timestamp;
  event["lastTimestamp"] = timestamp;
  event["source"] = Object{{"component", input.component}};
  event["reportingComponent"] = input.component;
  return event;
}

Object RepeatedEventObject(const Object& stored, WallTime now) {
  Object event = stored;
  int64_t count = 1;
  auto it = event.find("count");
  if (it != event.end() && it->is_number_integer()) count = it->get<int64_t>();
  event["count"] = count + 1;
  event["lastTimestamp"] = FormatRfc3339(now);
  return event;
}

}  // namespace moor::store
