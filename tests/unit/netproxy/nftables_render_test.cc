// RenderNftables: the exact script for small tables (golden strings), naming rules, options.
#include "moor/netproxy/nftables_render.h"

#include <set>
#include <regex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace moor::netproxy {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

ServicePort Port(const std::string& ns, const std::string& name, const std::string& ip, const std::string& proto,
                 int port, const std::string& port_name, std::vector<Backend> backends) {
  ServicePort p;
  p.ns = ns;
  p.name = name;
  p.cluster_ip = ip;
  p.protocol = proto;
  p.port = port;
  p.port_name = port_name;
  p.backends = std::move(backends);
  return p;
}

constexpr const char* kEmptyTable = R"(table ip moor {}
delete table ip moor
table ip moor {
	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
	}
	map no-endpoint-services {
		type ipv4_addr . inet_proto . inet_service : verdict
	}
	set cluster-ips {
		type ipv4_addr
	}
	map node-ports {
		type inet_proto . inet_service : verdict
	}
	map no-endpoint-node-ports {
		type inet_proto . inet_service : verdict
	}
	chain nat-prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr . meta l4proto . th dport vmap @service-ips
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @node-ports
	}
	chain nat-output {
		type nat hook output priority -100; policy accept;
		ip daddr . meta l4proto . th dport vmap @service-ips
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @node-ports
	}
	chain nat-postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		meta mark & 0x00004000 == 0 return
		meta mark set meta mark ^ 0x00004000
		masquerade fully-random
	}
	chain filter-input {
		type filter hook input priority -110; policy accept;
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-node-ports
	}
	chain filter-output {
		type filter hook output priority -110; policy accept;
		ip daddr . meta l4proto . th dport vmap @no-endpoint-services
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-node-ports
	}
	chain filter-output-post-dnat {
		type filter hook output priority -90; policy accept;
		ct state new ip daddr @cluster-ips goto reject-service
	}
	chain filter-forward {
		type filter hook forward priority -110; policy accept;
		ip daddr . meta l4proto . th dport vmap @no-endpoint-services
		ct state new ip daddr @cluster-ips goto reject-service
	}
	chain reject-service {
		meta l4proto tcp reject with tcp reset
		reject
	}
}
)";

TEST(NftablesRenderTest, EmptyTableStillReplacesTheWholeTable) {
  EXPECT_EQ(RenderNftables({}, {}), kEmptyTable);
}

constexpr const char* kTwoServices = R"(table ip t1 {}
delete table ip t1
table ip t1 {
	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
		elements = { 10.43.0.20 . tcp . 80 : goto svc-default-web-80-tcp-9c737d4c,
			     10.43.0.22 . tcp . 443 : goto svc-kube-system-one-https-tcp-f307d28b }
	}
	map no-endpoint-services {
		type ipv4_addr . inet_proto . inet_service : verdict
		elements = { 10.43.0.21 . udp . 53 : goto reject-service }
	}
	set cluster-ips {
		type ipv4_addr
		elements = { 10.43.0.20,
			     10.43.0.21,
			     10.43.0.22 }
	}
	map node-ports {
		type inet_proto . inet_service : verdict
	}
	map no-endpoint-node-ports {
		type inet_proto . inet_service : verdict
	}
	chain nat-prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr . meta l4proto . th dport vmap @service-ips
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @node-ports
	}
	chain nat-output {
		type nat hook output priority -100; policy accept;
		ip daddr . meta l4proto . th dport vmap @service-ips
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @node-ports
	}
	chain nat-postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		meta mark & 0x00000100 == 0 return
		meta mark set meta mark ^ 0x00000100
		masquerade fully-random
	}
	chain filter-input {
		type filter hook input priority -110; policy accept;
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-node-ports
	}
	chain filter-output {
		type filter hook output priority -110; policy accept;
		ip daddr . meta l4proto . th dport vmap @no-endpoint-services
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-node-ports
	}
	chain filter-output-post-dnat {
		type filter hook output priority -90; policy accept;
		ct state new ip daddr @cluster-ips goto reject-service
	}
	chain filter-forward {
		type filter hook forward priority -110; policy accept;
		ip daddr . meta l4proto . th dport vmap @no-endpoint-services
		ct state new ip daddr @cluster-ips goto reject-service
	}
	chain reject-service {
		meta l4proto tcp reject with tcp reset
		reject
	}
	chain svc-default-web-80-tcp-9c737d4c {
		numgen random mod 2 vmap { 0 : goto ep-default-web-80-tcp-10-42-0-3-8080-8346e459, 1 : goto ep-default-web-80-tcp-10-42-0-9-8080-fbccfea3 }
	}
	chain ep-default-web-80-tcp-10-42-0-3-8080-8346e459 {
		ip saddr 10.42.0.3 meta mark set meta mark | 0x00000100
		meta l4proto tcp dnat to 10.42.0.3:8080
	}
	chain ep-default-web-80-tcp-10-42-0-9-8080-fbccfea3 {
		ip saddr 10.42.0.9 meta mark set meta mark | 0x00000100
		meta l4proto tcp dnat to 10.42.0.9:8080
	}
	chain svc-kube-system-one-https-tcp-f307d28b {
		goto ep-kube-system-one-https-tcp-10-42-0-4-8443-ff29cf96
	}
	chain ep-kube-system-one-https-tcp-10-42-0-4-8443-ff29cf96 {
		ip saddr 10.42.0.4 meta mark set meta mark | 0x00000100
		meta l4proto tcp dnat to 10.42.0.4:8443
	}
}
)";

TEST(NftablesRenderTest, GoldenTwoServices) {
  ServiceTable table;
  table.ports.push_back(Port("default", "web", "10.43.0.20", "tcp", 80, "",
                             {{"10.42.0.3", 8080}, {"10.42.0.9", 8080}}));
  table.ports.push_back(Port("default", "idle", "10.43.0.21", "udp", 53, "dns", {}));
  table.ports.push_back(Port("kube-system", "one", "10.43.0.22", "tcp", 443, "https", {{"10.42.0.4", 8443}}));
  NftablesOptions options;
  options.table = "t1";
  options.masquerade_mark = 0x100;
  EXPECT_EQ(RenderNftables(table, options), kTwoServices);
}

constexpr const char* kNodePorts = R"(table ip moor {}
delete table ip moor
table ip moor {
	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
		elements = { 10.43.0.20 . tcp . 80 : goto svc-default-web-80-tcp-9c737d4c }
	}
	map no-endpoint-services {
		type ipv4_addr . inet_proto . inet_service : verdict
		elements = { 10.43.0.21 . udp . 53 : goto reject-service,
			     10.43.0.22 . tcp . 81 : goto reject-service }
	}
	set cluster-ips {
		type ipv4_addr
		elements = { 10.43.0.20,
			     10.43.0.21,
			     10.43.0.22 }
	}
	map node-ports {
		type inet_proto . inet_service : verdict
		elements = { tcp . 30000 : goto svc-default-web-80-tcp-9c737d4c }
	}
	map no-endpoint-node-ports {
		type inet_proto . inet_service : verdict
		elements = { udp . 30000 : goto reject-service }
	}
	chain nat-prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr . meta l4proto . th dport vmap @service-ips
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @node-ports
	}
	chain nat-output {
		type nat hook output priority -100; policy accept;
		ip daddr . meta l4proto . th dport vmap @service-ips
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @node-ports
	}
	chain nat-postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		meta mark & 0x00004000 == 0 return
		meta mark set meta mark ^ 0x00004000
		masquerade fully-random
	}
	chain filter-input {
		type filter hook input priority -110; policy accept;
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-node-ports
	}
	chain filter-output {
		type filter hook output priority -110; policy accept;
		ip daddr . meta l4proto . th dport vmap @no-endpoint-services
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-node-ports
	}
	chain filter-output-post-dnat {
		type filter hook output priority -90; policy accept;
		ct state new ip daddr @cluster-ips goto reject-service
	}
	chain filter-forward {
		type filter hook forward priority -110; policy accept;
		ip daddr . meta l4proto . th dport vmap @no-endpoint-services
		ct state new ip daddr @cluster-ips goto reject-service
	}
	chain reject-service {
		meta l4proto tcp reject with tcp reset
		reject
	}
	chain svc-default-web-80-tcp-9c737d4c {
		goto ep-default-web-80-tcp-10-42-0-3-8080-8346e459
	}
	chain ep-default-web-80-tcp-10-42-0-3-8080-8346e459 {
		ip saddr 10.42.0.3 meta mark set meta mark | 0x00004000
		fib daddr type local meta mark set meta mark | 0x00004000
		meta l4proto tcp dnat to 10.42.0.3:8080
	}
}
)";

// A node port with a backend goes to the same service chain as its ClusterIP port (its backend
// chains also mark packets to a local address for masquerade); one without is rejected from
// filter-input/-output; the UDP and TCP node ports 30000 are different keys; a second entry
// claiming tcp . 30000 (which the allocator prevents) is left out.
TEST(NftablesRenderTest, GoldenNodePorts) {
  ServiceTable table;
  ServicePort web = Port("default", "web", "10.43.0.20", "tcp", 80, "", {{"10.42.0.3", 8080}});
  web.node_port = 30000;
  ServicePort idle = Port("default", "idle", "10.43.0.21", "udp", 53, "dns", {});
  idle.node_port = 30000;
  ServicePort clash = Port("default", "clash", "10.43.0.22", "tcp", 81, "", {});
  clash.node_port = 30000;
  table.ports = {web, idle, clash};
  EXPECT_EQ(RenderNftables(table, {}), kNodePorts);
}

TEST(NftablesRenderTest, RemovalIsIdempotent) {
  NftablesOptions options;
  options.table = "x";
  EXPECT_EQ(RenderNftablesRemoval(options), "table ip x {}\ndelete table ip x\n");
}

TEST(NftablesRenderTest, ChainNamesAreSanitisedCappedAndUnique) {
  ServiceTable table;
  std::string long_name(200, 'a');
  // Two services whose readable parts are equal after the cut: the hash tells them apart.
  table.ports.push_back(Port("ns", long_name + "x", "10.43.0.1", "tcp", 80, "", {{"10.42.0.2", 80}}));
  table.ports.push_back(Port("ns", long_name + "y", "10.43.0.2", "tcp", 80, "", {{"10.42.0.2", 80}}));
  table.ports.push_back(Port("NS.with_odd", "Name!", "10.43.0.3", "sctp", 9, "P", {{"10.42.0.2", 9}}));
  std::string script = RenderNftables(table, {});
  std::regex chain_re(R"(\tchain ([^ ]+) \{)");
  std::set<std::string> names;
  int count = 0;
  for (auto it = std::sregex_iterator(script.begin(), script.end(), chain_re); it != std::sregex_iterator(); ++it) {
    std::string name = (*it)[1];
    ++count;
    names.insert(name);
    EXPECT_LE(name.size(), 96u) << name;
    EXPECT_TRUE(std::regex_match(name, std::regex("[a-z][a-z0-9-]*"))) << name;
  }
  EXPECT_EQ(count, 8 + 3 * 2);
  EXPECT_EQ(names.size(), static_cast<std::size_t>(count)) << "chain names collide";
  EXPECT_THAT(script, HasSubstr("svc-ns-with-odd-name--p-sctp-"));
  EXPECT_THAT(script, HasSubstr("meta l4proto sctp dnat to 10.42.0.2:9"));
}

TEST(NftablesRenderTest, RenderingIsStable) {
  ServiceTable table;
  table.ports.push_back(Port("default", "web", "10.43.0.20", "tcp", 80, "", {{"10.42.0.3", 8080}}));
  EXPECT_EQ(RenderNftables(table, {}), RenderNftables(table, {}));
  EXPECT_THAT(RenderNftables(table, {}), Not(HasSubstr("no-endpoint-services {\n\t\ttype ipv4_addr . inet_proto . inet_service : verdict\n\t\telements")));
}

TEST(NftablesRenderTest, ValidatesOptions) {
  NftablesOptions options;
  EXPECT_TRUE(ValidateNftablesOptions(options).ok());
  options.table = "bad name";
  EXPECT_EQ(ValidateNftablesOptions(options).code(), StatusCode::kInvalidArgument);
  options.table = "1abc";
  EXPECT_EQ(ValidateNftablesOptions(options).code(), StatusCode::kInvalidArgument);
  options.table = "moor-test_1";
  EXPECT_TRUE(ValidateNftablesOptions(options).ok());
  options.masquerade_mark = 0x3;
  EXPECT_EQ(ValidateNftablesOptions(options).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace moor::netproxy
