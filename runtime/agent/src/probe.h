#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "moor/common/status.h"
#include "moor/manifests/object.h"

namespace moor::runtime {

using manifests::Object;

// One liveness / readiness / startup probe of a container, with Kubernetes' defaults.
struct ProbeSpec {
  enum class Kind { kExec, kHttpGet, kTcpSocket };
  Kind kind = Kind::kTcpSocket;
  std::vector<std::string> command;  // exec
  std::string path = "/";            // httpGet
  std::string scheme = "HTTP";       // httpGet: HTTP (HTTPS is reported unsupported)
  std::string host;                  // httpGet: empty = the pod IP
  std::vector<std::pair<std::string, std::string>> headers;
  int port = 0;                      // httpGet / tcpSocket, named ports resolved
  std::chrono::seconds initial_delay{0};
  std::chrono::seconds period{10};
  std::chrono::seconds timeout{1};
  int success_threshold = 1;
  int failure_threshold = 3;
};

// The probe at `field` ("livenessProbe", ...) of a container; nullopt if it has none.
// kInvalidArgument for a probe with no handler or a named port the container does not declare.
StatusOr<std::optional<ProbeSpec>> ParseProbe(const Object& container, const char* field);

// Counts consecutive results against the thresholds (pure).
class ProbeTracker {
 public:
  ProbeTracker(int success_threshold, int failure_threshold, bool initial)
      : success_threshold_(success_threshold), failure_threshold_(failure_threshold), value_(initial) {}
  // Records one result; returns true if the tracked value flipped.
  bool Record(bool success);
  bool value() const { return value_; }

 private:
  int success_threshold_;
  int failure_threshold_;
  bool value_;
  int successes_ = 0;
  int failures_ = 0;
};

// Performs one HTTP GET probe against ip:port (HTTP/1.1, "kube-probe" user agent, no
// redirects followed to other hosts): success for a status in [200, 400).
bool HttpGetProbe(const std::string& ip, const ProbeSpec& spec, std::string* detail);
// Success if a TCP connection to ip:port opens within the timeout.
bool TcpSocketProbe(const std::string& ip, const ProbeSpec& spec, std::string* detail);

}  // namespace moor::runtime
