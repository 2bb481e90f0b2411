#pragma once

#include "moor/common/status.h"
#include "moor/netproxy/service_table.h"

namespace moor::netproxy {

// Programs the data plane of this node so that traffic to every ClusterIP port in the table
// reaches one of its ready backends. Implementations: NftablesServiceProxy (real) and
// tests/fakes FakeServiceProxy. Calls are serialised by the implementation (thread-safe).
class ServiceProxy {
 public:
  virtual ~ServiceProxy() = default;
  // Makes the data plane equal to `table` (a full replacement, not a delta). Idempotent: applying
  // the same table again restores anything someone changed by hand. On failure the previous
  // state is left in place as far as the backend allows; the caller retries.
  virtual Status Apply(const ServiceTable& table) = 0;
  // Removes everything the proxy programmed (for tests and an explicit clean shutdown; the daemon
  // normally leaves the rules in place when it stops so that traffic keeps flowing). Idempotent.
  virtual Status Remove() = 0;
};

}  // namespace moor::netproxy
