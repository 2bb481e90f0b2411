#include "source_status.h"

#include <map>

namespace moor::api {

StatusOr<manifests::Object> SourceStatusJson(store::Store& store, const std::vector<SourceInfo>& sources) {
  store::SyncQuery query;
  query.latest_per_path = true;
  query.limit = 100000;
  MOOR_ASSIGN_OR_RETURN(std::vector<store::SyncRecord> records, store.ListSyncRecords(query));
  std::map<std::string, std::map<std::string, manifests::Object>> files;  // source -> path -> file
  for (const auto& r : records) {
    manifests::Object objects = manifests::Object::array();
    for (const auto& o : r.objects) {
      objects.push_back({{"kind", o.key.kind},
                         {"namespace", o.key.ns},
                         {"name", o.key.name},
                         {"action", o.action},
                         {"message", o.message}});
    }
    files[r.source][r.path] = {{"path", r.path},
                               {"revision", r.revision},
                               {"time", FormatRfc3339(r.time)},
                               {"result", r.result},
                               {"durationSeconds", r.duration_seconds},
                               {"objects", objects},
                               {"errors", r.errors}};
  }
  manifests::Object out = manifests::Object::array();
  auto add = [&](const std::string& name, const std::string& type, const std::string& location) {
    manifests::Object list = manifests::Object::array();
    auto it = files.find(name);
    if (it != files.end()) {
      for (auto& [path, file] : it->second) list.push_back(std::move(file));
      files.erase(it);
    }
    out.push_back({{"name", name}, {"type", type}, {"location", location}, {"files", list}});
  };
  for (const auto& s : sources) add(s.name, s.type, s.location);
  std::vector<std::string> rest;
  for (const auto& [name, unused] : files) rest.push_back(name);
  for (const auto& name : rest) add(name, "", "");
  return manifests::Object{{"sources", out}};
}

}  // namespace moor::api
