#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "moor/common/status.h"
#include "moor/manifests/object.h"

namespace moor::manifests {

// A Kubernetes resource quantity ("250m", "64Mi", "1e3", "0.5", "1G"), held exactly in
// nano-units. Parsing follows resource.ParseQuantity: an optional sign, a decimal number,
// then one suffix: binary SI (Ki Mi Gi Ti Pi Ei), decimal SI (n u m "" k M G T P E) or a
// decimal exponent (e3, E-2). Values finer than 1n round up to 1n, as Kubernetes does.
class Quantity {
 public:
  enum class Format { kDecimalSI, kBinarySI, kDecimalExponent };

  Quantity() = default;

  // kInvalidArgument `invalid quantity "12xb"` on syntax errors; also when the value is
  // beyond what moor holds (about ±1.7e29).
  static StatusOr<Quantity> Parse(std::string_view text);
  // A quantity as it appears in JSON: a string, or a number (`cpu: 1`, `cpu: 0.5`).
  static StatusOr<Quantity> FromJson(const Object& value);
  static Quantity FromMilli(std::int64_t milli, Format format = Format::kDecimalSI);

  // Rounded up to whole milli-units / units, as resource.Quantity.MilliValue()/Value().
  std::int64_t MilliValue() const;
  std::int64_t Value() const;
  bool IsZero() const { return nanos_ == 0; }
  bool IsNegative() const { return nanos_ < 0; }
  Format format() const { return format_; }

  // The canonical form Kubernetes returns: "1500m" -> "1500m", "1000m" -> "1",
  // "0.5" -> "500m", "1024Mi" -> "1Gi", "1000" -> "1k", "1e3" -> "1e3".
  std::string ToString() const;

  std::strong_ordering operator<=>(const Quantity& other) const { return nanos_ <=> other.nanos_; }
  bool operator==(const Quantity& other) const { return nanos_ == other.nanos_; }

 private:
  __int128 nanos_ = 0;
  Format format_ = Format::kDecimalSI;
};

}  // namespace moor::manifests
