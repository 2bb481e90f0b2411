// The HTTPS server under the API (api/src/https_server.cc) on real sockets and real TLS, with
// curl and a small OpenSSL client as peers: keep-alive, pipelining, streams, limits, bad input,
// clients that leave or stop reading, and a Stop() that always returns.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "http_server.h"
#include "moor/api/tls.h"
#include "moor/testing/process.h"
#include "moor/testing/temp_dir.h"

namespace moor::api {
namespace {

using moor::testing::RunCommand;
using moor::testing::WaitFor;

// A plain TCP connection to 127.0.0.1:port.
int Connect(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// A blocking TLS client (no certificate check: these tests are about HTTP, not trust).
class TlsClient {
 public:
  explicit TlsClient(uint16_t port) : ctx_(SSL_CTX_new(TLS_client_method())), fd_(Connect(port)) {
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    connected_ = fd_ >= 0 && SSL_connect(ssl_) == 1;
  }
  ~TlsClient() {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return connected_; }
  bool Send(const std::string& data) {
    size_t written = 0;
    return SSL_write_ex(ssl_, data.data(), data.size(), &written) == 1 && written == data.size();
  }
  // Reads until `needle` has arrived or the connection ends; returns everything read.
  std::string ReadUntil(const std::string& needle) {
    while (received_.find(needle) == std::string::npos) {
      char buf[4096];
      size_t got = 0;
      if (SSL_read_ex(ssl_, buf, sizeof(buf), &got) != 1) break;
      received_.append(buf, got);
    }
    return received_;
  }
  // Reads until the server closes the connection.
  std::string ReadAll() { return ReadUntil(std::string(1, '\0') + "never"); }
  void CloseTcp() {
    ::close(fd_);
    fd_ = -1;
  }

 private:
  SSL_CTX* ctx_;
  int fd_;
  SSL* ssl_ = nullptr;
  bool connected_ = false;
  std::string received_;
};

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class HttpsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto certs = EnsureServingCertificates(dir_.path() / "tls", {"127.0.0.1"});
    ASSERT_TRUE(certs.ok()) << certs.status().ToString();
    certs_ = *certs;
    options_.host = "127.0.0.1";
    options_.cert_file = certs_.serving_cert;
    options_.key_file = certs_.serving_key;
  }

  // Starts the server on a free port with `handler`.
  void Start(HttpHandler handler) {
    server_ = NewHttpsServer();
    auto port = server_->Start(options_, std::move(handler));
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    ASSERT_NE(*port, 0);
    port_ = *port;
  }

  std::string Url(const std::string& path) const { return "https://127.0.0.1:" + std::to_string(port_) + path; }
  std::vector<std::string> Curl(std::vector<std::string> args) const {
    std::vector<std::string> argv = {"curl", "-sS", "--cacert", certs_.ca_cert.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  moor::testing::TempDir dir_{"https"};
  ServingCertificates certs_;
  HttpsServerOptions options_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
};

HttpResponse Echo(const HttpRequest& req) {
  HttpResponse resp;
  resp.headers["Content-Type"] = "text/plain";
  resp.body = req.method + " " + req.path + " ?" + req.raw_query + " " + std::to_string(req.body.size()) + " " +
              req.Header("x-test");
  return resp;
}

TEST_F(HttpsServerTest, AnswersOverTlsOnAPortItPicksAndKeepsTheConnection) {
  Start(Echo);
  // Two transfers in one curl: the second reuses the first's connection (num_connects 0).
  auto r = RunCommand(Curl({"-H", "X-Test: a", "-w", " connects=%{num_connects}\\n", Url("/a%20b?x=1%202"),
                            Url("/second")}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "GET /a b ?x=1%202 0 a connects=1\nGET /second ? 0 a connects=0\n");
}

TEST_F(HttpsServerTest, PipelinedRequestsAreAnsweredInOrder) {
  Start(Echo);
  TlsClient client(port_);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send("GET /one HTTP/1.1\r\nHost: x\r\n\r\n"
                          "POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                          "GET /three HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  std::string all = client.ReadAll();
  size_t one = all.find("GET /one ? 0");
  size_t two = all.find("POST /two ? 3");
  size_t three = all.find("GET /three ? 0");
  ASSERT_NE(one, std::string::npos) << all;
  ASSERT_NE(two, std::string::npos) << all;
  ASSERT_NE(three, std::string::npos) << all;
  EXPECT_LT(one, two);
  EXPECT_LT(two, three);
  EXPECT_EQ(Count(all, "HTTP/1.1 200 OK\r\n"), 3u);
  EXPECT_EQ(Count(all, "Connection: close\r\n"), 1u) << "only the last answer closes";
}

TEST_F(HttpsServerTest, ChunkedRequestBodiesAndExpectContinue) {
  Start(Echo);
  auto chunked = RunCommand(Curl({"-X", "PUT", "-H", "Transfer-Encoding: chunked", "--data-binary", "hello",
                                  Url("/chunked")}));
  ASSERT_EQ(chunked.exit_code, 0) << chunked.err;
  EXPECT_EQ(chunked.out, "PUT /chunked ? 5 ");
  // curl asks "Expect: 100-continue" for this one and waits for the 100 before the body.
  moor::testing::WriteFile(dir_.path() / "body", std::string(200000, 'x'));
  auto expect = RunCommand(Curl({"-H", "Expect: 100-continue", "--expect100-timeout", "30", "--data-binary",
                                 "@" + (dir_.path() / "body").string(), Url("/expect")}));
  ASSERT_EQ(expect.exit_code, 0) << expect.err;
  EXPECT_EQ(expect.out, "POST /expect ? 200000 ");
}

TEST_F(HttpsServerTest, TooLargeMalformedAndFailingRequestsGetErrors) {
  std::atomic<int> calls{0};
  Start([&](const HttpRequest& req) -> HttpResponse {
    ++calls;
    if (req.path == "/throw") throw std::runtime_error("boom");
    return Echo(req);
  });
  {
    TlsClient client(port_);
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.Send("POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 4000000\r\n\r\n"));
    std::string all = client.ReadUntil("limit is");
    EXPECT_EQ(all.rfind("HTTP/1.1 413 ", 0), 0u) << all;
    EXPECT_NE(all.find("limit is 3145728"), std::string::npos) << all;
  }
  {
    TlsClient client(port_);
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.Send("NOT HTTP AT ALL\r\n\r\n"));
    std::string all = client.ReadUntil("\r\n\r\n");
    EXPECT_EQ(all.rfind("HTTP/1.1 400 ", 0), 0u) << all;
  }
  {
    TlsClient client(port_);
    ASSERT_TRUE(client.connected());
    // The server answers before it has read it all, and reads on (drops) what still comes, so
    // the client sees the answer, not a reset connection.
    ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2 << 20, 'a') + "\r\n\r\n"));
    std::string all = client.ReadUntil("\r\n\r\n");
    EXPECT_EQ(all.rfind("HTTP/1.1 431 ", 0), 0u) << all.substr(0, 200);
  }
  EXPECT_EQ(calls.load(), 0) << "no malformed request reaches the handler";
  auto thrown = RunCommand(Curl({"-w", "%{http_code}", Url("/throw")}));
  EXPECT_EQ(thrown.out, "internal error\n500");
  // A TCP connection that never starts TLS does not hold up the others.
  int silent = Connect(port_);
  ASSERT_GE(silent, 0);
  auto after = RunCommand(Curl({Url("/after")}));
  EXPECT_EQ(after.out, "GET /after ? 0 ");
  ::close(silent);
}

// A stream that writes a line every 20 ms while the writer stays open.
struct Ticker {
  std::atomic<int> running{0};
  std::atomic<int> ended{0};
  HttpResponse Respond() {
    HttpResponse resp;
    resp.headers["Content-Type"] = "text/plain";
    resp.stream = [this](ChunkWriter& writer) {
      ++running;
      for (int i = 0; writer.Open(); ++i) {
        if (!writer.Write("tick " + std::to_string(i) + "\n")) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      --running;
      ++ended;
    };
    return resp;
  }
};

TEST_F(HttpsServerTest, StreamsChunksAndNoticesAClientThatLeaves) {
  Ticker ticker;
  Start([&](const HttpRequest& req) { return req.path == "/short" ? Echo(req) : ticker.Respond(); });
  auto r = RunCommand(Curl({"-N", "--max-time", "1", Url("/stream")}));
  EXPECT_EQ(r.exit_code, 28) << "curl's timeout ends the transfer: " << r.err;
  EXPECT_EQ(r.out.rfind("tick 0\ntick 1\n", 0), 0u) << r.out;
  EXPECT_TRUE(WaitFor([&] { return ticker.ended.load() == 1; })) << "the stream went on after the client left";
  // A stream that ends by itself ends the chunked body properly and keeps the connection.
  Start([&](const HttpRequest& req) {
    HttpResponse resp;
    resp.stream = [path = req.path](ChunkWriter& writer) {
      writer.Write("");
      writer.Write("first " + path + "\n");
      writer.Write("second\n");
    };
    return resp;
  });
  auto finite = RunCommand(Curl({"-w", "connects=%{num_connects}\\n", Url("/x"), Url("/y")}));
  ASSERT_EQ(finite.exit_code, 0) << finite.err;
  EXPECT_EQ(finite.out, "first /x\nsecond\nconnects=1\nfirst /y\nsecond\nconnects=0\n");
}

TEST_F(HttpsServerTest, StopEndsStreamsIdleConnectionsAndClientsThatStoppedReading) {
  Ticker ticker;
  std::atomic<int> calls{0};
  Start([&](const HttpRequest& req) {
    ++calls;
    if (req.path == "/flood") {
      HttpResponse resp;
      resp.stream = [](ChunkWriter& writer) {
        std::string block(64 * 1024, 'f');
        while (writer.Write(block)) {
        }
      };
      return resp;
    }
    return ticker.Respond();
  });
  // A stream being read, a stream whose client never reads (the server's writes block), a
  // connection that finished TLS and sends nothing, TCP connections that never start TLS, and
  // connections still in the accept backlog.
  moor::testing::ChildProcess reader(Curl({"-N", "-o", "/dev/null", Url("/stream")}),
                                     (dir_.path() / "curl.log").string());
  TlsClient stalled(port_);
  ASSERT_TRUE(stalled.connected());
  ASSERT_TRUE(stalled.Send("GET /flood HTTP/1.1\r\nHost: x\r\n\r\n"));
  TlsClient idle(port_);
  ASSERT_TRUE(idle.connected());
  std::vector<int> raw;
  for (int i = 0; i < 20; ++i) raw.push_back(Connect(port_));
  ASSERT_TRUE(WaitFor([&] { return ticker.running.load() == 1 && calls.load() == 2; }));

  server_->Stop();
  EXPECT_EQ(ticker.running.load(), 0);
  EXPECT_EQ(ticker.ended.load(), 1);
  int before = calls.load();
  TlsClient late(port_);
  EXPECT_FALSE(late.connected()) << "nothing listens after Stop";
  EXPECT_EQ(calls.load(), before);
  EXPECT_TRUE(WaitFor([&] { return !reader.Running(); })) << "curl's stream was not ended";
  server_->Stop();  // idempotent
  for (int fd : raw) ::close(fd);
}

TEST_F(HttpsServerTest, StartReportsWhatIsWrong) {
  HttpsServerOptions bad = options_;
  bad.key_file = dir_.path() / "missing.key";
  auto server = NewHttpsServer();
  auto no_key = server->Start(bad, Echo);
  ASSERT_FALSE(no_key.ok());
  EXPECT_EQ(no_key.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_key.status().message().find("missing.key"), std::string::npos) << no_key.status().ToString();

  Start(Echo);
  HttpsServerOptions taken = options_;
  taken.port = port_;
  auto second = NewHttpsServer();
  auto in_use = second->Start(taken, Echo);
  ASSERT_FALSE(in_use.ok());
  EXPECT_EQ(in_use.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(in_use.status().message().find("127.0.0.1:" + std::to_string(port_)), std::string::npos)
      << in_use.status().ToString();
}

}  // namespace
}  // namespace moor::api
