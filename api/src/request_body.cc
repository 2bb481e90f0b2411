#include "request_body.h"

#include "moor/common/files.h"
#include "protobuf_body.h"
#include "responses.h"

namespace moor::api {
namespace {

using manifests::Object;

std::string QualifiedKind(const manifests::KindInfo& kind) {
  return kind.group.empty() ? kind.kind : kind.kind + "." + kind.group;
}

// "abc12"-style suffix for generateName, from kube's alphabet without vowels.
std::string RandomSuffix() {
  static const char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::string hex = RandomHex(5);
  std::string out;
  for (size_t i = 0; i < 5; ++i) {
    int byte = std::stoi(hex.substr(2 * i, 2), nullptr, 16);
    out.push_back(kAlphabet[byte % (sizeof(kAlphabet) - 1)]);
  }
  return out;
}

std::optional<DecodedBody> Fail(HttpResponse* error, HttpResponse answer) {
  *error = std::move(answer);
  return std::nullopt;
}

// Validates `doc` (already checked against the route) and sorts what Validate found into
// warnings and the error answer.
std::optional<DecodedBody> ValidateBody(manifests::Document doc, const Route& route, const manifests::LoadOptions& load,
                                        FieldValidation field_validation, HttpResponse* error) {
  const manifests::KindInfo& kind = *route.kind;
  manifests::LoadOptions options = load;
  if (field_validation == FieldValidation::kStrict) options.strict = true;
  if (field_validation == FieldValidation::kIgnore || field_validation == FieldValidation::kWarn) options.strict = false;
  std::vector<manifests::Diagnostic> diagnostics = manifests::Validate(doc, "request body", options);
  DecodedBody out;
  StatusDetails details;
  details.name = manifests::NameOf(doc.object);
  details.group = kind.group;
  details.kind = kind.kind;
  std::vector<std::string> messages;
  std::string unknown;  // strict: `unknown field "a", unknown field "b"`
  for (const auto& d : diagnostics) {
    if (d.unknown_field) {
      if (d.severity == manifests::Severity::kError) {
        unknown += (unknown.empty() ? "" : ", ") + d.message;
      } else if (field_validation != FieldValidation::kIgnore) {
        out.warnings.push_back(d.message);
      }
      continue;
    }
    std::string text = d.field.empty() ? d.message : d.field + ": " + d.message;
    if (d.severity == manifests::Severity::kWarning) {
      out.warnings.push_back(text);
      continue;
    }
    details.causes.push_back(StatusCause{"FieldValueInvalid", d.field, d.message});
    messages.push_back(text);
  }
  if (!unknown.empty()) {
    // kube-apiserver's answer to fieldValidation=Strict.
    return Fail(error, StatusResponse(400, "BadRequest",
                                      kind.kind + " in version \"" + route.version + "\" cannot be handled as a " +
                                          kind.kind + ": strict decoding error: " + unknown));
  }
  if (!messages.empty()) {
    std::string joined;
    for (const auto& m : messages) joined += (joined.empty() ? "" : ", ") + m;
    if (messages.size() > 1) joined = "[" + joined + "]";
    return Fail(error, StatusResponse(422, "Invalid", QualifiedKind(kind) + " \"" + details.name + "\" is invalid: " + joined,
                                      details));
  }
  manifests::ApplyDefaults(doc.object);
  out.object = std::move(doc.object);
  return out;
}

}  // namespace

std::string RouteApiVersion(const Route& route) {
  return route.group.empty() ? route.version : route.group + "/" + route.version;
}

std::optional<WriteParams> ParseWriteParams(const HttpRequest& req, HttpResponse* error) {
  std::map<std::string, std::string> query = ParseQuery(req.raw_query);
  WriteParams params;
  if (auto it = query.find("dryRun"); it != query.end()) {
    if (it->second != "All") {
      *error = StatusResponse(400, "BadRequest", "Invalid dry run value: \"" + it->second + "\" (moor takes All)");
      return std::nullopt;
    }
    params.dry_run = true;
  }
  if (auto it = query.find("fieldValidation"); it != query.end()) {
    if (it->second == "Ignore") {
      params.field_validation = FieldValidation::kIgnore;
    } else if (it->second == "Warn") {
      params.field_validation = FieldValidation::kWarn;
    } else if (it->second == "Strict") {
      params.field_validation = FieldValidation::kStrict;
    } else {
      *error = StatusResponse(400, "BadRequest",
                              "fieldValidation must be one of \"Ignore\", \"Warn\" or \"Strict\", got \"" + it->second +
                                  "\"");
      return std::nullopt;
    }
  }
  return params;
}

std::optional<manifests::Document> ParseBody(const HttpRequest& req, const manifests::ParseOptions& parse,
                                             HttpResponse* error) {
  // JSON and YAML; protobuf (what kubectl's generator commands such as `kubectl create
  // configmap` send) for the kinds DecodeProtobufObject knows. Other media types are refused
  // with the ones moor takes instead of a YAML syntax error.
  std::string type = req.Header("content-type");
  type = type.substr(0, type.find(';'));
  if (type == kProtobufMediaType) {
    StatusOr<Object> decoded = DecodeProtobufObject(req.body);
    if (!decoded.ok()) {
      bool malformed = decoded.status().code() == StatusCode::kInvalidArgument;
      *error = malformed ? StatusResponse(400, "BadRequest", decoded.status().message())
                         : StatusResponse(415, "UnsupportedMediaType", decoded.status().message());
      return std::nullopt;
    }
    manifests::Document doc;
    doc.index = 1;
    doc.object = std::move(decoded).value();
    return doc;
  }
  if (!type.empty() && type.find("json") == std::string::npos && type.find("yaml") == std::string::npos) {
    *error = StatusResponse(415, "UnsupportedMediaType",
                            "the body of the request was in an unknown format - accepted media types include: "
                            "application/json, application/yaml (moor does not take " + type +
                                "; use kubectl create -f FILE or moor apply)");
    return std::nullopt;
  }
  manifests::ParsedFile parsed = manifests::ParseContent("request body", req.body, parse);
  if (!parsed.ok() || parsed.documents.size() != 1 || !parsed.documents[0].object.is_object()) {
    std::string message;
    for (const auto& d : parsed.diagnostics) {
      if (d.severity == manifests::Severity::kError) message += (message.empty() ? "" : "; ") + d.ToString();
    }
    if (message.empty()) message = "the request body must be exactly one object";
    *error = StatusResponse(400, "BadRequest", message);
    return std::nullopt;
  }
  return std::move(parsed.documents[0]);
}

std::optional<DecodedBody> CheckBody(manifests::Document doc, const Route& route, const manifests::LoadOptions& load,
                                     bool validate, FieldValidation field_validation, HttpResponse* error) {
  Object& obj = doc.object;
  const manifests::KindInfo& kind = *route.kind;
  if (manifests::KindOf(obj) != kind.kind) {
    return Fail(error, StatusResponse(400, "BadRequest",
                                      "the kind of the provided object (" + manifests::KindOf(obj) +
                                          ") does not match the resource in the URL (" + kind.plural + ")"));
  }
  std::string api_version = manifests::ApiVersionOf(obj);
  const manifests::KindInfo* body_kind = manifests::FindKind(api_version, kind.kind);
  if (body_kind == nullptr || body_kind->group != kind.group) {
    return Fail(error, StatusResponse(400, "BadRequest",
                                      "the API version in the data (" + api_version +
                                          ") does not match the expected API version (" + RouteApiVersion(route) + ")"));
  }
  if (!obj.contains("metadata") || !obj["metadata"].is_object()) obj["metadata"] = Object::object();
  Object& meta = obj["metadata"];
  if (kind.namespaced) {
    std::string body_ns = manifests::NamespaceOf(obj);
    if (!body_ns.empty() && route.ns && body_ns != *route.ns) {
      return Fail(error, StatusResponse(400, "BadRequest",
                                        "the namespace of the provided object does not match the namespace sent on the "
                                        "request"));
    }
    if (body_ns.empty() && route.ns) meta["namespace"] = *route.ns;
  } else {
    meta.erase("namespace");
  }
  if (!route.name.empty()) {
    std::string body_name = manifests::NameOf(obj);
    if (body_name.empty()) {
      meta["name"] = route.name;
    } else if (body_name != route.name) {
      return Fail(error, StatusResponse(400, "BadRequest",
                                        "the name of the object (" + body_name + ") does not match the name on the URL (" +
                                            route.name + ")"));
    }
  } else if (manifests::NameOf(obj).empty() && meta.contains("generateName") && meta["generateName"].is_string()) {
    meta["name"] = meta["generateName"].get<std::string>() + RandomSuffix();
  }
  if (!validate) return DecodedBody{std::move(obj), {}};
  return ValidateBody(std::move(doc), route, load, field_validation, error);
}

void AddWarnings(HttpResponse& resp, const std::vector<std::string>& warnings) {
  std::string value;
  for (const auto& w : warnings) {
    std::string escaped;
    for (char c : w) {
      if (c == '"' || c == '\\') escaped.push_back('\\');
      escaped.push_back(c == '\n' ? ' ' : c);
    }
    value += (value.empty() ? "" : ", ") + std::string("299 - \"") + escaped + "\"";
  }
  if (!value.empty()) resp.headers["Warning"] = value;
}

}  // namespace moor::api
