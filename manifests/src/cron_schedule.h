#pragma once

#include <string>
#include <string_view>

namespace moor::manifests::internal {

// Checks a CronJob schedule as Kubernetes does (robfig/cron standard parser): five fields
// (minute hour day-of-month month day-of-week; '*', '?', lists, ranges, steps, JAN-DEC,
// SUN-SAT) or a descriptor (@yearly @annually @monthly @weekly @daily @midnight @hourly,
// @every <duration>). TZ=/CRON_TZ= prefixes are refused (Kubernetes wants spec.timeZone).
// Returns "" when valid, else the problem.
std::string CheckCronSchedule(std::string_view schedule);

}  // namespace moor::manifests::internal
