// HTTP/1.1 parsing and framing without sockets (api/src/http_wire.h).
#include "http_wire.h"

#include <gtest/gtest.h>

namespace moor::api {
namespace {

using Progress = RequestParser::Progress;

TEST(RequestParserTest, ParsesARequestFedOneByteAtATime) {
  const std::string wire =
      "POST /api/v1/namespaces/a%2Fb/pods?labelSelector=app%3Dweb HTTP/1.1\r\n"
      "Host: x\r\nContent-Type: application/json\r\nAccept: a\r\naccept: b\r\nContent-Length: 7\r\n\r\n"
      "{\"a\":1}";
  RequestParser parser;
  std::string buffer;
  Progress progress = Progress::kNeedMore;
  for (size_t i = 0; i < wire.size(); ++i) {
    ASSERT_EQ(progress, Progress::kNeedMore) << "complete too early, at byte " << i;
    buffer.push_back(wire[i]);
    progress = parser.Feed(buffer);
  }
  ASSERT_EQ(progress, Progress::kComplete);
  EXPECT_TRUE(buffer.empty());
  bool keep_alive = false;
  HttpRequest req = parser.Take(&keep_alive);
  EXPECT_TRUE(keep_alive);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.path, "/api/v1/namespaces/a/b/pods");
  EXPECT_EQ(req.raw_query, "labelSelector=app%3Dweb");
  EXPECT_EQ(req.Header("content-type"), "application/json");
  EXPECT_EQ(req.Header("accept"), "a, b");
  EXPECT_EQ(req.body, "{\"a\":1}");
}

TEST(RequestParserTest, LeavesAPipelinedRequestInTheBufferAndReadsChunkedBodies) {
  std::string buffer =
      "PUT /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
      "GET /y HTTP/1.0\r\n\r\n";
  RequestParser parser;
  ASSERT_EQ(parser.Feed(buffer), Progress::kComplete);
  bool keep_alive = false;
  HttpRequest first = parser.Take(&keep_alive);
  EXPECT_EQ(first.body, "abcde");
  EXPECT_TRUE(keep_alive);
  ASSERT_EQ(parser.Feed(buffer), Progress::kComplete);
  HttpRequest second = parser.Take(&keep_alive);
  EXPECT_EQ(second.path, "/y");
  EXPECT_FALSE(keep_alive) << "HTTP/1.0 without keep-alive closes";
  EXPECT_EQ(parser.Feed(buffer), Progress::kNeedMore);
}

TEST(RequestParserTest, RefusesWhatItShouldNotRead) {
  RequestLimits small;
  small.header_bytes = 64;
  small.body_bytes = 10;
  struct Case {
    std::string wire;
    Progress want;
  } cases[] = {
      {"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", Progress::kBodyTooLarge},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nb\r\n01234567890\r\n0\r\n\r\n", Progress::kBodyTooLarge},
      {"GET / HTTP/1.1\r\nX: " + std::string(100, 'a') + "\r\n\r\n", Progress::kHeaderTooLarge},
      {"GET / HTTP/9.x\r\n\r\n", Progress::kBad},
      {"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", Progress::kBad},
      {"GET / HTTP/1.1\r\nBad Header\r\n\r\n", Progress::kBad},
  };
  for (const auto& c : cases) {
    RequestParser parser(small);
    std::string buffer = c.wire;
    EXPECT_EQ(parser.Feed(buffer), c.want) << c.wire;
  }
}

TEST(RequestParserTest, AsksForContinueOnlyWhileTheBodyIsToCome) {
  RequestParser parser;
  std::string buffer = "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n";
  ASSERT_EQ(parser.Feed(buffer), Progress::kNeedMore);
  EXPECT_TRUE(parser.TakeContinueWanted());
  EXPECT_FALSE(parser.TakeContinueWanted()) << "once per request";
  buffer = "ok";
  ASSERT_EQ(parser.Feed(buffer), Progress::kComplete);
  parser.Take(nullptr);
  buffer = "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok";
  ASSERT_EQ(parser.Feed(buffer), Progress::kComplete);
  EXPECT_FALSE(parser.TakeContinueWanted()) << "the body came with the header";
}

TEST(ResponseFramingTest, HeadsBodiesAndChunks) {
  HttpResponse json{201, {{"X-Note", "a\r\nInjected: yes"}, {"Content-Length", "999"}}, "{}", nullptr};
  EXPECT_EQ(SerializeResponse(json, true, false),
            "HTTP/1.1 201 Created\r\nX-Note: a  Injected: yes\r\nContent-Type: application/json\r\n"
            "Content-Length: 2\r\n\r\n{}");
  EXPECT_EQ(SerializeResponse(json, false, true),
            "HTTP/1.1 201 Created\r\nX-Note: a  Injected: yes\r\nContent-Type: application/json\r\n"
            "Content-Length: 2\r\nConnection: close\r\n\r\n");
  HttpResponse none{204, {}, "ignored", nullptr};
  EXPECT_EQ(SerializeResponse(none, true, false), "HTTP/1.1 204 No Content\r\n\r\n");
  HttpResponse stream{200, {{"Content-Type", "text/plain"}}, "", [](ChunkWriter&) {}};
  EXPECT_EQ(ResponseHead(stream, true), "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n");
  EXPECT_EQ(Chunk(std::string(26, 'z')), "1a\r\n" + std::string(26, 'z') + "\r\n");
  EXPECT_EQ(PlainErrorResponse(413, "too big"),
            "HTTP/1.1 413 Request Entity Too Large\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 8\r\nConnection: close\r\n\r\ntoo big\n");
}

}  // namespace
}  // namespace moor::api
