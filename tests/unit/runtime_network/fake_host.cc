#include "fake_host.h"

#include <algorithm>

namespace moor::runtime::testing {

namespace {

CommandResult Exit(int code, std::string out = "", std::string err = "") {
  CommandResult r;
  r.exit_code = code;
  r.out = std::move(out);
  r.err = std::move(err);
  return r;
}

}  // namespace

std::string FakeHost::Call::Program() const {
  if (argv.empty()) return "";
  return argv.front().substr(argv.front().rfind('/') + 1);
}

std::string FakeHost::Call::Summary() const {
  auto command = env.find("CNI_COMMAND");
  if (command != env.end()) return Program() + " " + command->second + " " + env.at("CNI_IFNAME");
  std::string s;
  for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

StatusOr<CommandResult> FakeHost::Run(const CommandSpec& spec) {
  std::lock_guard<std::mutex> lock(mu_);
  Call call{spec.argv, spec.env, spec.input};
  calls_.push_back(call);
  auto failing = failures_.find(call.Program());
  if (failing != failures_.end() && !failing->second.empty()) {
    CommandResult r = failing->second.front();
    failing->second.erase(failing->second.begin());
    return r;
  }
  return Handle(call);
}

CommandResult FakeHost::Handle(const Call& call) {
  const std::string program = call.Program();
  if (program == "ip") return Ip(call.argv);
  if (program == "nft") return Nft(call);
  if (program == "iptables") return Iptables(call.argv);
  if (call.env.count("CNI_COMMAND")) return Plugin(call);
  return Exit(127, "", "fake host: unknown program " + program);
}

CommandResult FakeHost::Nft(const Call& call) {
  if (call.argv.size() != 3 || call.argv[1] != "-f" || call.argv[2] != "-") return Exit(1, "", "fake host: nft -f - only");
  const std::string marker = "delete table ip ";
  std::size_t at = call.input.find(marker);
  if (at == std::string::npos) return Exit(1, "", "fake host: expected a script that replaces one table");
  std::string name = call.input.substr(at + marker.size(), call.input.find('\n', at) - at - marker.size());
  if (call.input.find("chain ") != std::string::npos) {
    tables_[name] = call.input;
  } else {
    tables_.erase(name);
  }
  return Exit(0);
}

std::map<std::string, std::string> FakeHost::Tables() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tables_;
}

CommandResult FakeHost::Ip(const std::vector<std::string>& a) {
  auto has = [&](std::size_t i, const char* word) { return a.size() > i && a[i] == word; };
  // ip -4 -j route show exact CIDR table main
  if (has(2, "-j") && has(3, "route") && has(4, "show") && has(5, "exact") && a.size() >= 7) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : routes_) {
      if (r.value("dst", "") == a[6]) out.push_back(r);
    }
    return Exit(0, out.dump());
  }
  // ip -4 route add|del unreachable CIDR metric M table main
  if (has(2, "route") && has(4, "unreachable") && a.size() >= 8) {
    int metric = std::stoi(a[7]);
    auto same = [&](const nlohmann::json& r) {
      return r.value("type", "") == "unreachable" && r.value("dst", "") == a[5] && r.value("metric", 0) == metric;
    };
    auto it = std::find_if(routes_.begin(), routes_.end(), same);
    if (a[3] == "add") {
      if (it != routes_.end()) return Exit(2, "", "RTNETLINK answers: File exists");
      nlohmann::json r = {{"type", "unreachable"}, {"dst", a[5]}, {"flags", nlohmann::json::array()}};
      if (metric != 0) r["metric"] = metric;
      routes_.push_back(r);
      return Exit(0);
    }
    if (a[3] == "del") {
      if (it == routes_.end()) return Exit(2, "", "RTNETLINK answers: No such process");
      routes_.erase(it);
      return Exit(0);
    }
  }
  return Exit(1, "", "fake host: unsupported ip command");
}

CommandResult FakeHost::Iptables(const std::vector<std::string>& argv) {
  // iptables -w 5 -C|-I|-D FORWARD [1] <match...>
  if (argv.size() < 6 || argv[1] != "-w" || argv[4] != "FORWARD") return Exit(2, "", "fake host: unsupported iptables");
  const std::string& action = argv[3];
  size_t from = action == "-I" ? 6 : 5;
  std::string rule;
  for (size_t i = from; i < argv.size(); ++i) rule += (rule.empty() ? "" : " ") + argv[i];
  auto it = std::find(forward_.begin(), forward_.end(), rule);
  if (action == "-C") return Exit(it != forward_.end() ? 0 : 1);
  if (action == "-I") {
    forward_.insert(forward_.begin(), rule);
    return Exit(0);
  }
  if (action == "-D" && it != forward_.end()) {
    forward_.erase(it);
    return Exit(0);
  }
  return Exit(1, "", "iptables: Bad rule (does a matching rule exist in that chain?).");
}

std::vector<std::string> FakeHost::ForwardRules() const {
  std::lock_guard<std::mutex> lock(mu_);
  return forward_;
}

CommandResult FakeHost::Plugin(const Call& call) {
  const std::string& command = call.env.at("CNI_COMMAND");
  if (command != "ADD") return Exit(0);
  nlohmann::json in = call.Stdin();
  const std::string type = call.Program();
  const std::string netns = call.env.at("CNI_NETNS");
  if (type == "bridge") {
    std::string ip = "10.42.0." + std::to_string(next_host_++);
    return Exit(0, nlohmann::json({{"cniVersion", "1.0.0"},
                                   {"interfaces",
                                    {{{"name", in.value("bridge", "")}, {"mac", "aa:aa:aa:aa:aa:01"}},
                                     {{"name", "veth1234"}, {"mac", "aa:aa:aa:aa:aa:02"}},
                                     {{"name", call.env.at("CNI_IFNAME")}, {"mac", "aa:aa:aa:aa:aa:03"}, {"sandbox", netns}}}},
                                   {"ips", {{{"interface", 2}, {"address", ip + "/24"}, {"gateway", "10.42.0.1"}}}},
                                   {"routes", {{{"dst", "10.42.0.0/16"}}}},
                                   {"dns", nlohmann::json::object()}})
                       .dump());
  }
  if (type == "portmap") return Exit(0, in.value("prevResult", nlohmann::json()).dump());
  return Exit(1, R"({"code":7,"msg":"unknown plugin"})");
}

void FakeHost::FailNext(const std::string& program, CommandResult result) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_[program].push_back(std::move(result));
}

void FakeHost::AddRoute(const nlohmann::json& route) {
  std::lock_guard<std::mutex> lock(mu_);
  routes_.push_back(route);
}

Status FakeHost::Create(const std::string& path, bool make_dir_shared) {
  std::lock_guard<std::mutex> lock(mu_);
  Call call{{"netns", "create", path}, {}, ""};
  if (make_dir_shared) call.argv.push_back("shared");
  calls_.push_back(call);
  if (netns_.count(path)) return UnavailableError("fake host: netns " + path + " exists");
  netns_.insert(path);
  return Status::Ok();
}

Status FakeHost::Remove(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  calls_.push_back(Call{{"netns", "remove", path}, {}, ""});
  netns_.erase(path);
  return Status::Ok();
}

bool FakeHost::IsNetns(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  return netns_.count(path) > 0;
}

std::vector<FakeHost::Call> FakeHost::Calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}

std::vector<std::string> FakeHost::Summaries() const {
  std::vector<std::string> out;
  for (const auto& c : Calls()) out.push_back(c.Summary());
  return out;
}

void FakeHost::ClearCalls() {
  std::lock_guard<std::mutex> lock(mu_);
  calls_.clear();
}

nlohmann::json FakeHost::Routes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return routes_;
}

std::set<std::string> FakeHost::Netns() const {
  std::lock_guard<std::mutex> lock(mu_);
  return netns_;
}

}  // namespace moor::runtime::testing
