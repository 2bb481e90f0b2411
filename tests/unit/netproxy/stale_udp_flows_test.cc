// StaleUdpFlows: which UDP conntrack entries a table change makes stale; ConntrackDeleteArgv and
// DeleteUdpFlows against a scripted runner (conntrack's exit 1 for "nothing matched").
#include "moor/netproxy/stale_udp_flows.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace moor::netproxy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

ServicePort Udp(const std::string& ip, int port, std::vector<Backend> backends, int node_port = 0,
                const std::string& protocol = "udp") {
  ServicePort p;
  p.ns = "default";
  p.name = "dns";
  p.cluster_ip = ip;
  p.protocol = protocol;
  p.port = port;
  p.node_port = node_port;
  p.backends = std::move(backends);
  return p;
}

ServiceTable Table(std::vector<ServicePort> ports) { return ServiceTable{std::move(ports)}; }

const Backend kA{"10.42.0.5", 5353};
const Backend kB{"10.42.0.6", 5353};

TEST(StaleUdpFlowsTest, ABackendThatLeftHasItsFlowsDeleted) {
  auto flows = StaleUdpFlows(Table({Udp("10.43.0.20", 53, {kA, kB})}), Table({Udp("10.43.0.20", 53, {kB})}));
  EXPECT_THAT(flows, ElementsAre(UdpFlowFilter{"10.43.0.20", 53, "10.42.0.5", 5353}));
}

TEST(StaleUdpFlowsTest, ABackendWhosePortChangedCountsAsLeft) {
  auto flows = StaleUdpFlows(Table({Udp("10.43.0.20", 53, {kA})}),
                             Table({Udp("10.43.0.20", 53, {Backend{"10.42.0.5", 5454}})}));
  EXPECT_THAT(flows, ElementsAre(UdpFlowFilter{"10.43.0.20", 53, "10.42.0.5", 5353}));
}

TEST(StaleUdpFlowsTest, NodePortFlowsToALeftBackendGoToo) {
  auto flows = StaleUdpFlows(Table({Udp("10.43.0.20", 53, {kA, kB}, 30053)}), Table({Udp("10.43.0.20", 53, {kB}, 30053)}));
  EXPECT_THAT(flows, ElementsAre(UdpFlowFilter{"10.43.0.20", 53, "10.42.0.5", 5353},
                                 UdpFlowFilter{"", 30053, "10.42.0.5", 5353}));
}

TEST(StaleUdpFlowsTest, ADeletedServiceHasAllItsBackendsFlowsDeleted) {
  auto flows = StaleUdpFlows(Table({Udp("10.43.0.20", 53, {kA, kB})}), Table({}));
  EXPECT_THAT(flows, ElementsAre(UdpFlowFilter{"10.43.0.20", 53, "10.42.0.5", 5353},
                                 UdpFlowFilter{"10.43.0.20", 53, "10.42.0.6", 5353}));
}

TEST(StaleUdpFlowsTest, APortThatGetsItsFirstBackendHasItsRefusedFlowsDeleted) {
  auto flows = StaleUdpFlows(Table({Udp("10.43.0.20", 53, {}, 30053)}), Table({Udp("10.43.0.20", 53, {kA}, 30053)}));
  EXPECT_THAT(flows, ElementsAre(UdpFlowFilter{"10.43.0.20", 53, "", 0}, UdpFlowFilter{"", 30053, "", 0}));
  // A new Service (no entry before) with a backend: flows to its address may have been refused too.
  EXPECT_THAT(StaleUdpFlows(Table({}), Table({Udp("10.43.0.21", 53, {kA})})),
              ElementsAre(UdpFlowFilter{"10.43.0.21", 53, "", 0}));
}

TEST(StaleUdpFlowsTest, NothingForUnchangedTablesAddedBackendsOrOtherProtocols) {
  EXPECT_THAT(StaleUdpFlows(Table({Udp("10.43.0.20", 53, {kA})}), Table({Udp("10.43.0.20", 53, {kA})})), IsEmpty());
  EXPECT_THAT(StaleUdpFlows(Table({Udp("10.43.0.20", 53, {kA})}), Table({Udp("10.43.0.20", 53, {kA, kB})})), IsEmpty());
  EXPECT_THAT(StaleUdpFlows(Table({Udp("10.43.0.20", 53, {kA, kB}, 0, "tcp")}), Table({Udp("10.43.0.20", 53, {}, 0, "tcp")})),
              IsEmpty());
  EXPECT_THAT(StaleUdpFlows(Table({}), Table({Udp("10.43.0.20", 53, {})})), IsEmpty());
}

TEST(StaleUdpFlowsTest, ConntrackArgvFiltersOnlyOnWhatIsSet) {
  EXPECT_THAT(ConntrackDeleteArgv({"10.43.0.20", 53, "10.42.0.5", 5353}),
              ElementsAre("conntrack", "-D", "-p", "udp", "--orig-dst", "10.43.0.20", "--orig-port-dst", "53",
                          "--reply-src", "10.42.0.5", "--reply-port-src", "5353"));
  EXPECT_THAT(ConntrackDeleteArgv({"", 30053, "", 0}),
              ElementsAre("conntrack", "-D", "-p", "udp", "--orig-port-dst", "30053"));
}

class ConntrackRunner final : public CommandRunner {
 public:
  std::vector<CommandResult> results;
  std::vector<CommandSpec> calls;
  StatusOr<CommandResult> Run(const CommandSpec& spec) override {
    calls.push_back(spec);
    CommandResult r = results.at(calls.size() - 1);
    return r;
  }
};

CommandResult Result(int exit_code, const std::string& err) {
  CommandResult r;
  r.exit_code = exit_code;
  r.err = err;
  return r;
}

TEST(DeleteUdpFlowsTest, NothingMatchedIsSuccessAnOperationErrorIsNotAndTheRestIsStillTried) {
  ConntrackRunner runner;
  runner.results = {Result(1, "conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n"),
                    Result(0, "conntrack v1.4.7 (conntrack-tools): 2 flow entries have been deleted.\n")};
  EXPECT_TRUE(DeleteUdpFlows(runner, {{"10.43.0.20", 53, "10.42.0.5", 5353}, {"", 30053, "", 0}}).ok());

  ConntrackRunner failing;
  failing.results = {Result(1, "conntrack v1.4.7 (conntrack-tools): Operation failed: Operation not permitted\n"),
                     Result(1, "conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n")};
  Status st = DeleteUdpFlows(failing, {{"10.43.0.20", 53, "10.42.0.5", 5353}, {"", 30053, "", 0}});
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_THAT(st.message(), HasSubstr("conntrack -D -p udp --orig-dst 10.43.0.20"));
  EXPECT_THAT(st.message(), HasSubstr("Operation not permitted"));
  EXPECT_EQ(failing.calls.size(), 2u);
}

}  // namespace
}  // namespace moor::netproxy
