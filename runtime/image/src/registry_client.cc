#include "registry_client.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

#include "moor/common/log.h"
#include "moor/runtime/image/digest.h"
#include "moor/runtime/image/registry_error.h"
#include "moor/runtime/image/www_authenticate.h"

namespace moor::runtime {

RegistryClient::RegistryClient(HttpClient& http, std::vector<RegistryEndpoint> endpoints,
                               std::vector<RegistryCredential> credentials)
    : http_(http), endpoints_(std::move(endpoints)), credentials_(std::move(credentials)) {}

RegistryClient::Credentials RegistryClient::CredentialsFor(const RegistryEndpoint& endpoint) const {
  for (const RegistryCredential& c : credentials_) {
    std::string host = NormalizeRegistryHost(c.registry);
    for (const std::string& h : endpoint.credential_hosts) {
      if (host == h) return {c.username, c.password, ""};
    }
  }
  const RegistryAuth& auth = endpoint.config.auth;
  return {auth.username, auth.password, auth.identity_token};
}

std::string RegistryClient::Url(std::size_t endpoint, const std::string& repository, const std::string& suffix) const {
  const RegistryEndpoint& e = endpoints_[endpoint];
  return e.url.ApiRoot() + "/" + RewriteRepository(e, repository) + suffix;
}

StatusOr<std::string> RegistryClient::FetchToken(std::size_t endpoint,
                                                 const std::map<std::string, std::string>& challenge,
                                                 const std::string& repository) {
  auto realm = challenge.find("realm");
  if (realm == challenge.end() || realm->second.empty()) {
    return UnauthenticatedError("the registry asked for a Bearer token but named no realm");
  }
  if (!realm->second.starts_with("https://") && !realm->second.starts_with("http://")) {
    return UnauthenticatedError("token realm \"" + realm->second + "\" is not an http(s) URL");
  }
  std::string service = challenge.contains("service") ? challenge.at("service") : "";
  std::string scope = challenge.contains("scope") ? challenge.at("scope")
                                                  : "repository:" + RewriteRepository(endpoints_[endpoint], repository) + ":pull";
  Credentials creds = CredentialsFor(endpoints_[endpoint]);
  HttpRequest request;
  request.tls = endpoints_[endpoint].config.tls;
  request.follow_redirects = true;
  if (!creds.identity_token.empty() && creds.username.empty()) {
    // OAuth2 refresh-token grant, as Docker does with an identity token.
    request.method = "POST";
    request.url = realm->second;
    request.headers = {"Content-Type: application/x-www-form-urlencoded"};
    request.body = "grant_type=refresh_token&client_id=moor&service=" + UrlEscape(service) +
                   "&scope=" + UrlEscape(scope) + "&refresh_token=" + UrlEscape(creds.identity_token);
  } else {
    std::string url = realm->second;
    url += url.find('?') == std::string::npos ? "?" : "&";
    url += "service=" + UrlEscape(service) + "&scope=" + UrlEscape(scope);
    if (!creds.username.empty()) {
      url += "&account=" + UrlEscape(creds.username);
      request.username = creds.username;
      request.password = creds.password;
    }
    request.url = url;
  }
  std::string context = "getting a token from " + realm->second;
  MOOR_ASSIGN_OR_RETURN(HttpResponse response, http_.Send(request));
  if (response.status != 200) {
    Status s = RegistryError(response.status, response.body, context);
    // A token server that refuses the credentials is an authentication failure whatever the status.
    if (response.status == 400 || response.status == 403) return UnauthenticatedError(s.message());
    return s;
  }
  auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_object()) {
    for (const char* key : {"token", "access_token"}) {
      auto it = body.find(key);
      if (it != body.end() && it->is_string() && !it->get<std::string>().empty()) return it->get<std::string>();
    }
  }
  return UnauthenticatedError(context + ": the answer has no token");
}

StatusOr<HttpResponse> RegistryClient::Send(std::size_t endpoint, HttpRequest request, const std::string& repository) {
  const RegistryEndpoint& e = endpoints_[endpoint];
  request.tls = e.config.tls;
  bool fresh_token = false;
  bool sent_basic = false;
  for (int attempt = 0; attempt < 3; ++attempt) {
    request.bearer_token.clear();
    request.username.clear();
    request.password.clear();
    if (tokens_.contains(endpoint)) {
      request.bearer_token = tokens_[endpoint];
    } else if (basic_[endpoint]) {
      Credentials creds = CredentialsFor(e);
      request.username = creds.username;
      request.password = creds.password;
      sent_basic = true;
    }
    MOOR_ASSIGN_OR_RETURN(HttpResponse response, http_.Send(request));
    if (response.status != 401) return response;

    const AuthChallenge* bearer = nullptr;
    const AuthChallenge* basic = nullptr;
    std::vector<AuthChallenge> challenges = ParseWwwAuthenticate(response.Header("www-authenticate"));
    for (const AuthChallenge& c : challenges) {
      if (c.scheme == "bearer" && bearer == nullptr) bearer = &c;
      if (c.scheme == "basic" && basic == nullptr) basic = &c;
    }
    if (bearer != nullptr && !fresh_token) {
      MOOR_ASSIGN_OR_RETURN(tokens_[endpoint], FetchToken(endpoint, bearer->params, repository));
      fresh_token = true;
      continue;
    }
    if (bearer == nullptr && basic != nullptr && !sent_basic && !CredentialsFor(e).username.empty()) {
      basic_[endpoint] = true;
      continue;
    }
    return response;  // a 401 the flow cannot get past: the caller reports the registry's words
  }
  return UnauthenticatedError(request.method + " " + request.url + ": the registry kept answering 401");
}

StatusOr<RegistryClient::Manifest> RegistryClient::GetManifestFrom(std::size_t endpoint, const std::string& repository,
                                                                   const std::string& reference) {
  HttpRequest request;
  request.url = Url(endpoint, repository, "/manifests/" + reference);
  request.headers = {"Accept: " + ManifestAcceptHeader()};
  MOOR_ASSIGN_OR_RETURN(HttpResponse response, Send(endpoint, request, repository));
  if (response.status != 200) return RegistryError(response.status, response.body, "GET " + request.url);
  Manifest m;
  m.content_type = response.Header("content-type");
  m.digest = DigestOf(response.body);
  m.body = std::move(response.body);
  return m;
}

StatusOr<RegistryClient::Manifest> RegistryClient::GetManifest(const std::string& repository,
                                                               const std::string& reference) {
  if (has_chosen_) return GetManifestFrom(chosen_, repository, reference);
  Status first_error;
  Status not_found;
  for (std::size_t i = 0; i < endpoints_.size(); ++i) {
    auto m = GetManifestFrom(i, repository, reference);
    if (m.ok()) {
      chosen_ = i;
      has_chosen_ = true;
      return m;
    }
    LogInfo("registry endpoint failed, trying the next",
            {{"endpoint", endpoints_[i].url.ApiRoot()}, {"error", m.status().message()}});
    if (m.status().code() == StatusCode::kNotFound) {
      if (not_found.ok()) not_found = m.status();
    } else if (first_error.ok()) {
      first_error = m.status();
    }
  }
  if (!first_error.ok()) return first_error;
  if (!not_found.ok()) return not_found;
  return NotFoundError("no registry endpoint for " + repository);
}

Status RegistryClient::FetchBlob(const std::string& repository, const Descriptor& blob,
                                 const std::filesystem::path& dest) {
  MOOR_RETURN_IF_ERROR(ValidateDigest(blob.digest));
  int fd = ::open(dest.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return UnavailableError("creating " + dest.string() + ": " + std::strerror(errno));
  Sha256Stream hash;
  std::int64_t written = 0;
  bool too_big = false;
  bool write_failed = false;
  HttpRequest request;
  request.url = Url(chosen_, repository, "/blobs/" + blob.digest);
  request.follow_redirects = true;
  request.on_body = [&](std::string_view data) {
    written += static_cast<std::int64_t>(data.size());
    if (written > blob.size) {
      too_big = true;
      return false;
    }
    hash.Update(data.data(), data.size());
    while (!data.empty()) {
      ssize_t n = ::write(fd, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        write_failed = true;
        return false;
      }
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  };
  auto response = Send(chosen_, request, repository);
  bool synced = ::fsync(fd) == 0;
  ::close(fd);
  auto fail = [&](Status s) {
    std::error_code ec;
    std::filesystem::remove(dest, ec);
    return s;
  };
  if (write_failed) return fail(UnavailableError("writing " + dest.string() + ": " + std::strerror(errno)));
  if (too_big) {
    return fail(InvalidArgumentError("blob " + blob.digest + " is larger than the " + std::to_string(blob.size) +
                                     " bytes its manifest says; rejected"));
  }
  if (!response.ok()) return fail(response.status());
  if (response->status != 200) return fail(RegistryError(response->status, response->body, "GET " + request.url));
  if (!synced) return fail(UnavailableError("fsync " + dest.string() + ": " + std::strerror(errno)));
  std::string got = hash.Finish();
  if (got != blob.digest || written != blob.size) {
    return fail(InvalidArgumentError("blob " + blob.digest + " failed verification: got " + std::to_string(written) +
                                     " bytes with digest " + got + ", expected " + std::to_string(blob.size) +
                                     " bytes; rejected"));
  }
  return Status::Ok();
}

}  // namespace moor::runtime
