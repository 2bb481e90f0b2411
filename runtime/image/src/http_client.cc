#include "http_client.h"

#include <cctype>

#include "curl_library.h"

namespace moor::runtime {
namespace {

struct Transfer {
  const HttpRequest* request = nullptr;
  const CurlApi* api = nullptr;
  CURL* curl = nullptr;
  HttpResponse response;
  bool too_large = false;
  bool aborted = false;
};

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    t->response.headers.clear();  // a new response (after a redirect or 100-continue)
    return size * count;
  }
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * count;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string value = Trim(line.substr(colon + 1));
  auto [it, inserted] = t->response.headers.emplace(name, value);
  if (!inserted) it->second += ", " + value;
  return size * count;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t n = size * count;
  long status = 0;
  t->api->easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
  if (t->request->on_body && status >= 200 && status < 300) {
    if (!t->request->on_body(std::string_view(data, n))) {
      t->aborted = true;
      return 0;
    }
    return n;
  }
  if (t->response.body.size() + n > t->request->max_body) {
    t->too_large = true;
    return 0;
  }
  t->response.body.append(data, n);
  return n;
}

class CurlHttpClient final : public HttpClient {
 public:
  CurlHttpClient() {
    auto api = AcquireCurl();
    if (!api.ok()) {
      load_error_ = api.status();
      return;
    }
    api_ = *std::move(api);
    curl_ = api_->easy_init();
  }
  ~CurlHttpClient() override {
    if (curl_ != nullptr) api_->easy_cleanup(curl_);
  }

  StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    if (!load_error_.ok()) return load_error_;
    if (curl_ == nullptr) return InternalError("curl_easy_init failed");
    const CurlApi& curl = *api_;
    curl.easy_reset(curl_);  // keeps the connection cache
    Transfer t;
    t.request = &request;
    t.api = api_.get();
    t.curl = curl_;
    char error[CURL_ERROR_SIZE] = {};
    curl.easy_setopt(curl_, CURLOPT_ERRORBUFFER, error);
    curl.easy_setopt(curl_, CURLOPT_URL, request.url.c_str());
    curl.easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "http,https");
    curl.easy_setopt(curl_, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl.easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl.easy_setopt(curl_, CURLOPT_USERAGENT, "moor");
    curl.easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT, 30L);
    // A stalled transfer (under 1 byte/s for a minute) fails instead of hanging a pull.
    curl.easy_setopt(curl_, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl.easy_setopt(curl_, CURLOPT_LOW_SPEED_TIME, 60L);
    curl.easy_setopt(curl_, CURLOPT_HEADERFUNCTION, OnHeader);
    curl.easy_setopt(curl_, CURLOPT_HEADERDATA, &t);
    curl.easy_setopt(curl_, CURLOPT_WRITEFUNCTION, OnBody);
    curl.easy_setopt(curl_, CURLOPT_WRITEDATA, &t);
    if (request.follow_redirects) {
      curl.easy_setopt(curl_, CURLOPT_FOLLOWLOCATION, 1L);
      curl.easy_setopt(curl_, CURLOPT_MAXREDIRS, 10L);
      curl.easy_setopt(curl_, CURLOPT_UNRESTRICTED_AUTH, 0L);
    }
    if (request.method == "POST") {
      curl.easy_setopt(curl_, CURLOPT_POST, 1L);
      curl.easy_setopt(curl_, CURLOPT_POSTFIELDS, request.body.c_str());
      curl.easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
    }
    if (!request.username.empty()) {
      curl.easy_setopt(curl_, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
      curl.easy_setopt(curl_, CURLOPT_USERNAME, request.username.c_str());
      curl.easy_setopt(curl_, CURLOPT_PASSWORD, request.password.c_str());
    }
    const RegistryTls& tls = request.tls;
    if (!tls.ca_file.empty()) curl.easy_setopt(curl_, CURLOPT_CAINFO, tls.ca_file.c_str());
    if (!tls.cert_file.empty()) curl.easy_setopt(curl_, CURLOPT_SSLCERT, tls.cert_file.c_str());
    if (!tls.key_file.empty()) curl.easy_setopt(curl_, CURLOPT_SSLKEY, tls.key_file.c_str());
    if (tls.insecure_skip_verify) {
      curl.easy_setopt(curl_, CURLOPT_SSL_VERIFYPEER, 0L);
      curl.easy_setopt(curl_, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    curl_slist* headers = nullptr;
    for (const std::string& h : request.headers) headers = curl.slist_append(headers, h.c_str());
    std::string bearer;
    if (!request.bearer_token.empty()) {
      // A custom Authorization header: libcurl drops it when a redirect leaves the host.
      bearer = "Authorization: Bearer " + request.bearer_token;
      headers = curl.slist_append(headers, bearer.c_str());
    }
    curl.easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);

    CURLcode rc = curl.easy_perform(curl_);
    curl.slist_free_all(headers);
    std::string what = request.method + " " + request.url;
    if (t.too_large) {
      return ResourceExhaustedError(what + ": response larger than " + std::to_string(request.max_body) + " bytes");
    }
    if (t.aborted) return InvalidArgumentError(what + ": transfer aborted by the receiver");
    if (rc != CURLE_OK) {
      return UnavailableError(what + ": " + (error[0] != '\0' ? std::string(error) : curl.easy_strerror(rc)));
    }
    curl.easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &t.response.status);
    return std::move(t.response);
  }

 private:
  Status load_error_;
  std::shared_ptr<const CurlApi> api_;  // keeps libcurl loaded while this client exists
  CURL* curl_ = nullptr;
};

}  // namespace

std::unique_ptr<HttpClient> NewCurlHttpClient() { return std::make_unique<CurlHttpClient>(); }

std::string UrlEscape(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

}  // namespace moor::runtime
