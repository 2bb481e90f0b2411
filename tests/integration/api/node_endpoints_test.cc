// Pod logs and images through the real ApiServer, the real ApiClient, curl and the real
// kubectl, with fake node services (node_service_fakes.h).
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "api_test_env.h"
#include "moor/testing/process.h"
#include "node_service_fakes.h"

namespace moor::api {
namespace {

using testenv::ApiTestEnv;
using testenv::FakeImageService;
using testenv::FakeLogSource;
using testenv::PodJson;

using testenv::kKubectl;

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class NodeEndpointsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testenv::KubectlInstalled());
    ASSERT_TRUE(env_.client().Create(PodJson("web", {"a"})).ok());
    ASSERT_TRUE(env_.client().Create(PodJson("two", {"a", "b"})).ok());
    logs_.Append("default", "web", "a", {"one", "two", "three"});
    logs_.Append("default", "two", "a", {"from a"});
    logs_.Append("default", "two", "b", {"from b"});
  }

  std::map<std::string, std::string> KubectlEnv() const { return env_.KubectlEnv(); }
  moor::testing::CommandResult Kubectl(const std::vector<std::string>& args) { return env_.Kubectl(args); }

  FakeLogSource logs_;
  FakeImageService images_;
  ApiTestEnv env_{testenv::ApiTestEnvOptions{100000, &logs_, &images_}};
};

TEST_F(NodeEndpointsTest, KubectlLogsTailAndContainer) {
  auto all = Kubectl({"logs", "web"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(all.out, "one\ntwo\nthree\n");
  ASSERT_FALSE(logs_.requests().empty());
  EXPECT_EQ(logs_.requests().back().container, "a");  // the only container
  EXPECT_FALSE(logs_.requests().back().follow);

  auto tail = Kubectl({"logs", "web", "--tail", "2"});
  ASSERT_EQ(tail.exit_code, 0) << tail.err;
  EXPECT_EQ(tail.out, "two\nthree\n");
  EXPECT_EQ(logs_.requests().back().tail_lines, 2);

  auto stamped = Kubectl({"logs", "pod/web", "--tail=1", "--timestamps"});
  ASSERT_EQ(stamped.exit_code, 0) << stamped.err;
  EXPECT_EQ(stamped.out, "2027-01-15T08:00:00.000000000Z three\n");

  auto b = Kubectl({"logs", "two", "-c", "b"});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(b.out, "from b\n");

  // kubectl picks the first container itself and says so.
  auto defaulted = Kubectl({"logs", "two"});
  ASSERT_EQ(defaulted.exit_code, 0) << defaulted.err;
  EXPECT_EQ(defaulted.out, "from a\n");
  EXPECT_NE(defaulted.err.find("Defaulted container \"a\" out of: a, b"), std::string::npos) << defaulted.err;
}

TEST_F(NodeEndpointsTest, KubectlLogsPreviousAndErrors) {
  logs_.SetPrevious("default", "web", "a", {"before the crash"});
  auto previous = Kubectl({"logs", "web", "--previous"});
  ASSERT_EQ(previous.exit_code, 0) << previous.err;
  EXPECT_EQ(previous.out, "before the crash\n");
  EXPECT_TRUE(logs_.requests().back().previous);

  auto no_previous = Kubectl({"logs", "two", "-c", "b", "-p"});
  EXPECT_NE(no_previous.exit_code, 0);
  EXPECT_NE(no_previous.err.find("previous terminated container \"b\" in pod \"two\" not found"), std::string::npos)
      << no_previous.err;

  logs_.SetWaiting("default", "web", "a", "ContainerCreating");
  auto waiting = Kubectl({"logs", "web"});
  EXPECT_NE(waiting.exit_code, 0);
  EXPECT_NE(waiting.err.find("Error from server (BadRequest): container \"a\" in pod \"web\" is waiting to start: "
                             "ContainerCreating"),
            std::string::npos)
      << waiting.err;

  auto unknown = Kubectl({"logs", "two", "-c", "nope"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("container nope is not valid for pod two"), std::string::npos) << unknown.err;

  auto missing = Kubectl({"logs", "ghost"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("pods \"ghost\" not found"), std::string::npos) << missing.err;
}

TEST_F(NodeEndpointsTest, KubectlLogsFollowStreamsAndStopsTheSourceOnDisconnect) {
  std::filesystem::path out = env_.dir() / "follow.out";
  auto follower = std::make_unique<moor::testing::ChildProcess>(
      std::vector<std::string>{kKubectl, "logs", "-f", "web"}, out.string(), KubectlEnv());
  ASSERT_TRUE(moor::testing::WaitFor([&] { return ReadAll(out).find("three\n") != std::string::npos; }))
      << ReadAll(out);
  ASSERT_TRUE(moor::testing::WaitFor([&] { return logs_.following() == 1; }));
  EXPECT_TRUE(logs_.requests().back().follow);

  logs_.Append("default", "web", "a", {"four"});
  ASSERT_TRUE(moor::testing::WaitFor([&] { return ReadAll(out).find("four\n") != std::string::npos; }))
      << ReadAll(out);
  logs_.Append("default", "web", "a", {"five", "six"});
  ASSERT_TRUE(moor::testing::WaitFor([&] { return ReadAll(out).find("six\n") != std::string::npos; }))
      << ReadAll(out);
  EXPECT_EQ(ReadAll(out), "one\ntwo\nthree\nfour\nfive\nsix\n");

  // The client goes away; the next writes fail and the source is told to stop.
  follower->Stop(SIGKILL);
  int n = 0;
  EXPECT_TRUE(moor::testing::WaitFor([&] {
    logs_.Append("default", "web", "a", {"after " + std::to_string(n++)});
    return logs_.finished_follows() == 1;
  }));
  EXPECT_EQ(logs_.following(), 0);
}

TEST_F(NodeEndpointsTest, ClientStreamsLogsAndStopsWhenTheSinkSaysSo) {
  std::string text;
  PodLogRequest plain;
  plain.pod = "web";
  ASSERT_TRUE(env_.client().StreamLogs(plain, [&](std::string_view d) {
    text.append(d);
    return true;
  }).ok());
  EXPECT_EQ(text, "one\ntwo\nthree\n");

  PodLogRequest follow = plain;
  follow.follow = true;
  follow.tail_lines = 1;
  std::string followed;
  std::thread appender;
  Status done = env_.client().StreamLogs(follow, [&](std::string_view d) {
    followed.append(d);
    if (followed == "three\n") {
      appender = std::thread([&] { logs_.Append("default", "web", "a", {"four"}); });
      return true;
    }
    return followed.find("four\n") == std::string::npos;  // enough
  });
  if (appender.joinable()) appender.join();
  ASSERT_TRUE(done.ok()) << done.ToString();
  EXPECT_EQ(followed, "three\nfour\n");
  EXPECT_EQ(logs_.requests().back().tail_lines, 1);
  int n = 0;
  EXPECT_TRUE(moor::testing::WaitFor([&] {
    logs_.Append("default", "web", "a", {"after " + std::to_string(n++)});
    return logs_.finished_follows() == 1;
  }));

  PodLogRequest bad = plain;
  bad.pod = "two";
  Status ambiguous = env_.client().StreamLogs(bad, [](std::string_view) { return true; });
  EXPECT_EQ(ambiguous.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ambiguous.message(), "a container name must be specified for pod two, choose one of: [a b]");
}

TEST_F(NodeEndpointsTest, StoppingTheServerEndsAQuietFollow) {
  std::atomic<bool> returned{false};
  std::thread reader([&] {
    PodLogRequest follow;
    follow.pod = "web";
    follow.follow = true;
    (void)env_.client().StreamLogs(follow, [](std::string_view) { return true; });
    returned = true;
  });
  ASSERT_TRUE(moor::testing::WaitFor([&] { return logs_.following() == 1; }));
  env_.server().Stop();  // nothing is written: the source learns it through keep_following
  EXPECT_EQ(logs_.finished_follows(), 1);
  EXPECT_TRUE(moor::testing::WaitFor([&] { return returned.load(); }));
  reader.join();
}

TEST_F(NodeEndpointsTest, LimitBytesAndBadQueriesOverHttp) {
  std::string limited = env_.Curl("GET", "/api/v1/namespaces/default/pods/web/log?limitBytes=6");
  EXPECT_EQ(limited, "200\none\ntw");
  std::string bad = env_.Curl("GET", "/api/v1/namespaces/default/pods/web/log?tailLines=x");
  EXPECT_EQ(bad.substr(0, 4), "400\n") << bad;
  EXPECT_NE(bad.find("invalid tailLines"), std::string::npos) << bad;
  std::string post = env_.Curl("POST", "/api/v1/namespaces/default/pods/web/log", "{}");
  EXPECT_EQ(post.substr(0, 4), "405\n") << post;
}

TEST_F(NodeEndpointsTest, Images) {
  images_.Add({"sha256:1111111111111111111111111111111111111111111111111111111111111111",
               {"docker.io/library/busybox:1.36"}, 4300000, true});
  images_.Add({"sha256:2222222222222222222222222222222222222222222222222222222222222222", {}, 100, false});
  auto listed = env_.client().ListImages();
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].references, std::vector<std::string>{"docker.io/library/busybox:1.36"});
  EXPECT_EQ((*listed)[0].size, 4300000);
  EXPECT_TRUE((*listed)[0].in_use);

  auto pulled = env_.client().PullImage("127.0.0.1:5000/app:v1");
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  EXPECT_EQ(pulled->references, std::vector<std::string>{"127.0.0.1:5000/app:v1"});
  images_.FailPull("nope:1", UnavailableError("pulling nope:1: manifest unknown"));
  auto failed = env_.client().PullImage("nope:1");
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(failed.status().message(), "pulling nope:1: manifest unknown");

  // References with slashes and colons travel url-encoded.
  Status in_use = env_.client().RemoveImage("docker.io/library/busybox:1.36");
  EXPECT_FALSE(in_use.ok());
  EXPECT_EQ(in_use.message(), "image docker.io/library/busybox:1.36 is in use by a container");
  EXPECT_TRUE(env_.client().RemoveImage("127.0.0.1:5000/app:v1").ok());
  EXPECT_EQ(env_.client().RemoveImage("127.0.0.1:5000/app:v1").code(), StatusCode::kNotFound);

  images_.SetArchive("/srv/app.tar", {{"sha256:3333333333333333333333333333333333333333333333333333333333333333",
                                       {"example.com/app:v2"}, 2000, false}});
  auto imported = env_.client().ImportImage("/srv/app.tar");
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  ASSERT_EQ(imported->size(), 1u);
  EXPECT_EQ((*imported)[0].references, std::vector<std::string>{"example.com/app:v2"});
  EXPECT_EQ(env_.client().ImportImage("/srv/missing.tar").status().code(), StatusCode::kNotFound);

  auto pruned = env_.client().PruneImages();
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(*pruned, std::vector<std::string>{"sha256:2222222222222222222222222222222222222222222222222222222222222222"});
  EXPECT_EQ(env_.client().ListImages()->size(), 2u);

  std::string raw = env_.Curl("POST", "/moor/v1/images", R"({"ref": "x"})");
  EXPECT_EQ(raw.substr(0, 4), "400\n") << raw;
  EXPECT_NE(raw.find("the request body must be {\\\"reference\\\""), std::string::npos) << raw;
  std::string deleted = env_.Curl("DELETE", "/moor/v1/images/example.com%2Fapp%3Av2");
  EXPECT_EQ(deleted.substr(0, 4), "200\n") << deleted;
  EXPECT_NE(deleted.find("\"status\":\"Success\""), std::string::npos) << deleted;
}

TEST(NodeEndpointsWithoutAgentTest, Answer503) {
  ApiTestEnv env;
  ASSERT_TRUE(env.client().Create(PodJson("web", {"a"})).ok());
  PodLogRequest request;
  request.pod = "web";
  Status logs = env.client().StreamLogs(request, [](std::string_view) { return true; });
  EXPECT_EQ(logs.code(), StatusCode::kUnavailable);
  EXPECT_EQ(logs.message(), "no node agent on this server");
  auto images = env.client().ListImages();
  EXPECT_EQ(images.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(images.status().message(), "no node agent on this server");
  std::string raw = env.Curl("GET", "/moor/v1/images");
  EXPECT_EQ(raw.substr(0, 4), "503\n") << raw;
  EXPECT_NE(raw.find("\"reason\":\"ServiceUnavailable\""), std::string::npos) << raw;
}

}  // namespace
}  // namespace moor::api
