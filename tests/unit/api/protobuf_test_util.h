#pragma once

// Helpers for the protobuf body tests: hex fixtures, a minimal protobuf encoder for
// hand-built messages, and Decode.
#include <cstdint>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "moor/manifests/object.h"
#include "protobuf_body.h"

namespace moor::api::pbtest {

// DecodeProtobufObject's object, failing the test (and returning null) on an error.
inline manifests::Object Decode(std::string_view body) {
  auto decoded = DecodeProtobufObject(body);
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  return decoded.ok() ? *decoded : manifests::Object();
}

inline std::string FromHex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

inline std::string Varint(std::uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}
inline std::string Tag(std::uint32_t number, int wire_type) {
  return Varint((std::uint64_t{number} << 3) | static_cast<std::uint64_t>(wire_type));
}
inline std::string Len(std::uint32_t number, std::string_view payload) {
  return Tag(number, 2) + Varint(payload.size()) + std::string(payload);
}
inline std::string VarintField(std::uint32_t number, std::uint64_t v) { return Tag(number, 0) + Varint(v); }
inline std::string Entry(std::uint32_t number, std::string_view key, std::string_view value) {
  return Len(number, Len(1, key) + Len(2, value));
}
// "k8s\0" + runtime.Unknown{typeMeta{apiVersion, kind}, raw}.
inline std::string Body(std::string_view api_version, std::string_view kind, std::string_view raw) {
  return std::string("k8s\0", 4) + Len(1, Len(1, api_version) + Len(2, kind)) + Len(2, raw) + Len(3, "") + Len(4, "");
}

}  // namespace moor::api::pbtest
