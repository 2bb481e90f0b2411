#include <arpa/inet.h>

#include <string>

#include "field_path.h"
#include "json_access.h"
#include "kind_validators.h"
#include "meta_validation.h"
#include "name_rules.h"

namespace moor::manifests::internal {
namespace {

std::string Quote(const std::string& s) { return Object(s).dump(); }

void ValidateBackend(const Object& backend, const std::string& path, Reporter& r) {
  const Object* service = ObjectField(backend, "service");
  const Object* resource = ObjectField(backend, "resource");
  if (service != nullptr && resource != nullptr) {
    r.Error(path, "cannot set both `resource` and `service` backends");
    return;
  }
  if (service == nullptr && resource == nullptr) {
    r.Error(path, "one of `service` or `resource` must be specified");
    return;
  }
  if (service == nullptr) return;
  std::string sp = FieldKey(path, "service");
  std::string name = StringField(*service, "name");
  if (!name.empty()) {
    auto problems = CheckDns1123Label(name);
    if (!problems.empty()) r.Error(FieldKey(sp, "name"), "invalid service name " + Quote(name) + ": " + JoinProblems(problems));
  }
  const Object* port = ObjectField(*service, "port");
  std::string pp = FieldKey(sp, "port");
  if (port == nullptr) {
    r.Error(pp, "Required value: a service backend needs a port");
    return;
  }
  bool has_name = !StringField(*port, "name").empty();
  auto number = IntField(*port, "number");
  if (has_name && number) {
    r.Error(pp, "cannot set both port name & port number");
  } else if (!has_name && !number) {
    r.Error(pp, "port name or number is required");
  }
  if (number && (*number < 1 || *number > 65535)) {
    r.Error(FieldKey(pp, "number"), "must be between 1 and 65535, inclusive (got " + std::to_string(*number) + ")");
  }
  if (has_name) {
    std::string pname = StringField(*port, "name");
    auto problems = CheckPortName(pname);
    if (!problems.empty()) r.Error(FieldKey(pp, "name"), "invalid port name " + Quote(pname) + ": " + JoinProblems(problems));
  }
}

void ValidateHost(const std::string& host, const std::string& path, Reporter& r) {
  unsigned char buf[16];
  if (inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1) {
    r.Error(path, "must be a DNS name, not an IP address");
    return;
  }
  std::string name = host;
  if (name.rfind("*.", 0) == 0) name = name.substr(2);
  auto problems = CheckDns1123Subdomain(name);
  if (!problems.empty()) r.Error(path, "invalid host " + Quote(host) + ": " + JoinProblems(problems));
}

}  // namespace

void ValidateIngress(const Object& obj, Reporter& r) {
  const Object* spec = ObjectField(obj, "spec");
  static const Object kEmpty = Object::object();
  if (spec == nullptr) spec = &kEmpty;
  const Object* default_backend = ObjectField(*spec, "defaultBackend");
  const Object* rules = ArrayField(*spec, "rules");
  if (default_backend == nullptr && (rules == nullptr || rules->empty())) {
    r.Error("spec", "either `defaultBackend` or `rules` must be specified");
  }
  if (default_backend != nullptr) ValidateBackend(*default_backend, "spec.defaultBackend", r);
  CheckDnsSubdomainField(*spec, "ingressClassName", "spec", r);
  if (rules != nullptr) {
    for (std::size_t i = 0; i < rules->size(); ++i) {
      const Object& rule = (*rules)[i];
      std::string rp = FieldIndex("spec.rules", i);
      std::string host = StringField(rule, "host");
      if (!host.empty()) ValidateHost(host, FieldKey(rp, "host"), r);
      const Object* http = ObjectField(rule, "http");
      if (http == nullptr) continue;
      const Object* paths = ArrayField(*http, "paths");
      if (paths == nullptr) continue;
      for (std::size_t j = 0; j < paths->size(); ++j) {
        const Object& p = (*paths)[j];
        std::string pp = FieldIndex(FieldKey(FieldKey(rp, "http"), "paths"), j);
        std::string type = StringField(p, "pathType");
        if (!HasField(p, "pathType")) {
          r.Error(FieldKey(pp, "pathType"), "Required value: pathType must be specified");
        } else {
          CheckEnum(p, "pathType", pp, {"Exact", "Prefix", "ImplementationSpecific"}, r);
        }
        std::string path = StringField(p, "path");
        if ((type == "Exact" || type == "Prefix") && (path.empty() || path[0] != '/')) {
          r.Error(FieldKey(pp, "path"), "must be an absolute path");
        } else if (type == "ImplementationSpecific" && !path.empty() && path[0] != '/') {
          r.Error(FieldKey(pp, "path"), "must be an absolute path");
        }
        if (const Object* backend = ObjectField(p, "backend")) ValidateBackend(*backend, FieldKey(pp, "backend"), r);
      }
    }
  }
  if (const Object* tls = ArrayField(*spec, "tls")) {
    for (std::size_t i = 0; i < tls->size(); ++i) {
      std::string tp = FieldIndex("spec.tls", i);
      if (const Object* hosts = ArrayField((*tls)[i], "hosts")) {
        for (std::size_t j = 0; j < hosts->size(); ++j) {
          if ((*hosts)[j].is_string()) ValidateHost((*hosts)[j].get<std::string>(), FieldIndex(FieldKey(tp, "hosts"), j), r);
        }
      }
      CheckDnsSubdomainField((*tls)[i], "secretName", tp, r);
    }
  }
}

}  // namespace moor::manifests::internal
