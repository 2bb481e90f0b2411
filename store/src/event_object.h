#pragma once

#include <string>

#include "moor/common/clock.h"
#include "moor/store/store.h"

namespace moor::store {

// Building Kubernetes v1 Event objects for Store::RecordEvent. Pure functions.

// Where the event lives: the involved object's namespace, or "default".
std::string EventNamespace(const EventInput& input);

// "<involved name in [a-z0-9.-]>.<16 hex>". The hex part is a hash of everything that makes
// two events "the same" (involved kind/namespace/name/fieldPath, type, reason, message), so
// a repeat finds the earlier Event by name.
std::string EventName(const EventInput& input);

// A new Event with count 1 and first/last timestamps `now`.
Object NewEventObject(const EventInput& input, WallTime now);

// `stored` (an earlier Event) with count + 1 and lastTimestamp `now`.
Object RepeatedEventObject(const Object& stored, WallTime now);

}  // namespace moor::store
