// The only file that knows cpprestsdk's server side. Every cpprestsdk / boost exception is
// caught here and turned into a Status or a 500 answer.
#include <atomic>
#include <cctype>
#include <list>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/ssl.hpp>
#include <cpprest/details/http_server.h>
#include <cpprest/details/http_server_api.h>
#include <cpprest/http_listener.h>
#include <cpprest/producerconsumerstream.h>
#include <pplx/threadpool.h>

#include "http_server.h"
#include "moor/common/log.h"

// libcpprest exports its asio server factory but declares it in no installed header.
namespace web::http::experimental::details {
std::unique_ptr<http_server> make_http_asio_server();
}  // namespace web::http::experimental::details

namespace moor::api {
namespace {

namespace cpprest_details = web::http::experimental::details;
using web::http::experimental::listener::http_listener;
using web::http::experimental::listener::http_listener_config;
using Buffer = concurrency::streams::producer_consumer_buffer<uint8_t>;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string ReasonPhrase(int code) {
  switch (code) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
  }
}

// One chunked response in progress: the producer thread writes into `buffer`, cpprestsdk
// reads from it and sends chunks.
struct StreamState {
  Buffer buffer{4096};
  std::atomic<bool> closed{false};    // response over or server stopping
  std::atomic<bool> finished{false};  // producer returned
  std::thread thread;
};

// Keeps cpprestsdk objects alive until the process exits (reachable, so not reported as leaks).
void Park(std::shared_ptr<void> object) {
  static std::mutex mu;
  static auto* parked = new std::vector<std::shared_ptr<void>>();
  std::lock_guard<std::mutex> lock(mu);
  parked->push_back(std::move(object));
}

// Works around a use-after-free in cpprestsdk 2.10's listener teardown. When the last listener
// closes, the library stops its asio server (acceptors reset, connections closed) and deletes
// it at once, and the caller then deletes the listener. But an accept that completed just
// before the acceptor was reset is still queued on the shared thread pool; its handler then
// runs on the deleted server and calls the TLS-context callback through a reference into the
// deleted listener (SEGV or heap-use-after-free right after Stop; a client that leaves a
// connection in the accept backlog, as kubectl does with its parallel dials, triggers it).
// This server is installed in the library's place: it forwards everything to the library's
// own asio server, and when the library drops it the stopped asio server is parked instead of
// deleted; Stop() parks the closed listener the same way. A few KB per stopped server.
class ParkingServer final : public cpprest_details::http_server {
 public:
  ParkingServer() : inner_(cpprest_details::make_http_asio_server()) {}
  ~ParkingServer() override { Park(std::shared_ptr<cpprest_details::http_server>(std::move(inner_))); }

  pplx::task<void> start() override { return inner_->start(); }
  pplx::task<void> register_listener(web::http::experimental::listener::details::http_listener_impl* l) override {
    return inner_->register_listener(l);
  }
  pplx::task<void> unregister_listener(web::http::experimental::listener::details::http_listener_impl* l) override {
    return inner_->unregister_listener(l);
  }
  pplx::task<void> stop() override { return inner_->stop(); }
  pplx::task<void> respond(web::http::http_response response) override { return inner_->respond(response); }

 private:
  std::unique_ptr<cpprest_details::http_server> inner_;
};

// Installs a ParkingServer unless a server with open listeners is in place (it is then one
// installed here earlier: the library drops its server whenever the last listener closes).
void InstallParkingServer() {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  if (cpprest_details::http_server_api::has_listener()) return;
  try {
    cpprest_details::http_server_api::register_server_api(std::make_unique<ParkingServer>());
  } catch (...) {
    // A listener opened meanwhile: its server stays.
  }
}

class BufferWriter final : public ChunkWriter {
 public:
  explicit BufferWriter(StreamState* state) : state_(state) {}
  bool Write(std::string_view data) override {
    if (state_->closed.load()) return false;
    try {
      state_->buffer.putn_nocopy(reinterpret_cast<const uint8_t*>(data.data()), data.size()).wait();
      state_->buffer.sync().wait();  // lets the reader send what it has instead of a full chunk
    } catch (...) {
      state_->closed.store(true);
      return false;
    }
    return true;
  }
  bool Open() const override { return !state_->closed.load(); }

 private:
  StreamState* state_;
};

class CpprestHttpServer final : public HttpServer {
 public:
  ~CpprestHttpServer() override { Stop(); }

  Status Start(const HttpsServerOptions& options, HttpHandler handler) override {
    handler_ = std::move(handler);
    std::string host = options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
    std::string url = "https://" + host + ":" + std::to_string(options.port) + "/";
    try {
      http_listener_config config;
      std::string cert = options.cert_file.string();
      std::string key = options.key_file.string();
      config.set_ssl_context_callback([cert, key](boost::asio::ssl::context& ctx) {
        ctx.set_options(boost::asio::ssl::context::default_workarounds | boost::asio::ssl::context::no_sslv2 |
                        boost::asio::ssl::context::no_sslv3 | boost::asio::ssl::context::no_tlsv1 |
                        boost::asio::ssl::context::no_tlsv1_1);
        ctx.use_certificate_chain_file(cert);
        ctx.use_private_key_file(key, boost::asio::ssl::context::pem);
      });
      InstallParkingServer();
      listener_ = std::make_unique<http_listener>(web::uri(url), config);
      listener_->support([this](web::http::http_request request) { Handle(std::move(request)); });
      listener_->open().wait();
    } catch (const std::exception& e) {
      if (listener_) Park(std::shared_ptr<http_listener>(std::move(listener_)));
      return UnavailableError("cannot listen on " + url + ": " + e.what());
    } catch (...) {
      if (listener_) Park(std::shared_ptr<http_listener>(std::move(listener_)));
      return UnavailableError("cannot listen on " + url);
    }
    return Status::Ok();
  }

  void Stop() override {
    std::list<std::shared_ptr<StreamState>> streams;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopped_) return;
      stopped_ = true;
      streams.swap(streams_);
    }
    for (auto& s : streams) s->closed.store(true);
    for (auto& s : streams) {
      if (s->thread.joinable()) s->thread.join();
    }
    if (listener_) {
      try {
        listener_->close().wait();
      } catch (...) {
        LogWarn("closing the HTTPS listener failed");
      }
      // Parked, not deleted: see ParkingServer. Requests that still arrive no longer find it
      // (cpprestsdk answers them 404), so `this` is not called after Stop().
      Park(std::shared_ptr<http_listener>(std::move(listener_)));
    }
  }

 private:
  void Handle(web::http::http_request request) {
    HttpRequest req;
    HttpResponse resp;
    try {
      req.method = request.method();
      req.path = web::uri::decode(request.relative_uri().path());
      req.raw_query = request.relative_uri().query();
      for (const auto& [name, value] : request.headers()) req.headers[Lower(name)] = value;
      req.remote = request.remote_address();
      std::vector<unsigned char> body = request.extract_vector().get();
      req.body.assign(body.begin(), body.end());
      resp = handler_(req);
    } catch (const std::exception& e) {
      LogError("HTTP handler failed", {{"path", req.path}, {"error", e.what()}});
      resp = HttpResponse{500, {{"Content-Type", "text/plain"}}, "internal error\n", nullptr};
    } catch (...) {
      resp = HttpResponse{500, {{"Content-Type", "text/plain"}}, "internal error\n", nullptr};
    }
    try {
      web::http::http_response response(static_cast<web::http::status_code>(resp.status));
      response.set_reason_phrase(ReasonPhrase(resp.status));
      if (!resp.stream) {
        response.set_body(std::move(resp.body), "application/json");
        for (const auto& [name, value] : resp.headers) response.headers()[name] = value;
        request.reply(response).then([](pplx::task<void> t) {
          try {
            t.get();
          } catch (...) {
          }
        });
        return;
      }
      std::shared_ptr<StreamState> state;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopped_) {
          request.reply(web::http::status_codes::ServiceUnavailable);
          return;
        }
        ReapFinishedLocked();
        state = std::make_shared<StreamState>();
        streams_.push_back(state);
        StreamState* raw = state.get();  // the thread is joined before the state goes away
        state->thread = std::thread([raw, stream = std::move(resp.stream)]() {
          BufferWriter writer(raw);
          try {
            stream(writer);
          } catch (...) {
            LogError("stream producer failed");
          }
          try {
            raw->buffer.close(std::ios_base::out).wait();
          } catch (...) {
          }
          raw->finished.store(true);
        });
      }
      response.set_body(concurrency::streams::istream(state->buffer), "application/json");
      for (const auto& [name, value] : resp.headers) response.headers()[name] = value;
      request.reply(response).then([state](pplx::task<void> t) {
        try {
          t.get();
        } catch (...) {
        }
        state->closed.store(true);
      });
    } catch (const std::exception& e) {
      LogError("sending HTTP response failed", {{"path", req.path}, {"error", e.what()}});
    } catch (...) {
      LogError("sending HTTP response failed", {{"path", req.path}});
    }
  }

  // Joins producers that are done (their threads have returned or are about to).
  void ReapFinishedLocked() {
    for (auto it = streams_.begin(); it != streams_.end();) {
      if ((*it)->finished.load()) {
        if ((*it)->thread.joinable()) (*it)->thread.join();
        it = streams_.erase(it);
      } else {
        ++it;
      }
    }
  }

  HttpHandler handler_;
  std::unique_ptr<http_listener> listener_;
  std::mutex mu_;
  bool stopped_ = false;                             // GUARDED_BY(mu_)
  std::list<std::shared_ptr<StreamState>> streams_;  // GUARDED_BY(mu_)
};

}  // namespace

std::unique_ptr<HttpServer> NewCpprestHttpServer() {
  // cpprestsdk's shared pool starts 40 threads by default; requests here are short (watch and
  // log streams run on threads of their own), so a smaller pool serves as well and keeps the
  // daemon's memory down. Only possible before the pool's first use in this process.
  static std::once_flag sized;
  std::call_once(sized, [] {
    try {
      crossplat::threadpool::initialize_with_threads(12);
    } catch (const std::exception&) {
      // Already running (a client used the pool first): keep its size.
    }
  });
  return std::make_unique<CpprestHttpServer>();
}

}  // namespace moor::api
