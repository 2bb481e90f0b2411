#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace moor {

using MetricLabels = std::map<std::string, std::string>;

class Counter {
 public:
  void Inc(double v = 1.0) { value_.fetch_add(v); }
  double Value() const { return value_.load(); }

 private:
  std::atomic<double> value_{0.0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v); }
  void Add(double v) { value_.fetch_add(v); }
  double Value() const { return value_.load(); }

 private:
  std::atomic<double> value_{0.0};
};

// Cumulative buckets as Prometheus expects; thread-safe.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  // Appends `name_bucket{...,le="..."}`, `name_sum`, `name_count` lines.
  void Render(const std::string& name, const std::string& labels, std::string& out) const;

 private:
  std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::vector<unsigned long long> counts_;  // GUARDED_BY(mu_), one per bound plus +Inf
  double sum_ = 0;                          // GUARDED_BY(mu_)
  unsigned long long count_ = 0;            // GUARDED_BY(mu_)
};

// A set of named metric families, rendered in the Prometheus text format (version 0.0.4).
// Metric objects returned by reference live as long as the registry; callers may keep them.
class MetricsRegistry {
 public:
  Counter& GetCounter(const std::string& name, const std::string& help, const MetricLabels& labels = {});
  Gauge& GetGauge(const std::string& name, const std::string& help, const MetricLabels& labels = {});
  // Default buckets suit durations in seconds (1 ms .. 10 s).
  Histogram& GetHistogram(const std::string& name, const std::string& help, const MetricLabels& labels = {},
                          std::vector<double> bounds = {});

  std::string Render() const;

  // The process-wide registry that `GET /metrics` serves.
  static MetricsRegistry& Default();

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Family {
    Type type;
    std::string help;
    std::map<std::string, std::unique_ptr<Counter>> counters;  // by rendered label set
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
  };
  Family& FamilyFor(const std::string& name, Type type, const std::string& help);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;  // GUARDED_BY(mu_)
};

}  // namespace moor
