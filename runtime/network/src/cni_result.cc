#include "moor/runtime/cni/result.h"

#include <optional>

#include "moor/common/ipv4_cidr.h"

namespace moor::runtime::cni {

namespace {

std::string FirstLine(const std::string& s) {
  std::size_t start = s.find_first_not_of(" \r\n\t");
  if (start == std::string::npos) return "";
  std::size_t end = s.find('\n', start);
  return s.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// The CNI error object in `text`, or null.
nlohmann::json ErrorObject(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.contains("msg") && j["msg"].is_string()) return j;
  return nullptr;
}

StatusCode CodeFor(int cni_code) {
  switch (cni_code) {
    case 1:  // incompatible CNI version
    case 2:  // unsupported field in network configuration
    case 4:  // invalid necessary environment variables
    case 6:  // failed to decode content
    case 7:  // invalid network config
      return StatusCode::kFailedPrecondition;
    case 3:  // container unknown or does not exist
      return StatusCode::kNotFound;
    default:  // 5 I/O failure, 11 try again later, >= 100 plugin-specific (bridge uses 999)
      return StatusCode::kUnavailable;
  }
}

}  // namespace

StatusOr<nlohmann::json> ParsePluginOutput(const std::string& what, const std::string& out) {
  nlohmann::json j = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return InvalidArgumentError(what + " printed something that is not JSON: \"" + out.substr(0, 200) + "\"");
  }
  return j;
}

StatusOr<SandboxAddress> ParseAddResult(const nlohmann::json& result) {
  if (!result.is_object()) return InvalidArgumentError("CNI result is not a JSON object");
  const nlohmann::json empty = nlohmann::json::array();
  const nlohmann::json& interfaces =
      result.contains("interfaces") && result["interfaces"].is_array() ? result["interfaces"] : empty;
  const nlohmann::json& ips = result.contains("ips") && result["ips"].is_array() ? result["ips"] : empty;

  std::optional<SandboxAddress> fallback;
  for (const auto& entry : ips) {
    if (!entry.is_object() || !entry.contains("address") || !entry["address"].is_string()) continue;
    std::string address = entry["address"].get<std::string>();
    std::string ip = address.substr(0, address.find('/'));
    if (!ParseIpv4Address(ip).ok()) {
      if (ip.find(':') != std::string::npos) continue;  // IPv6: not used by moor
      return InvalidArgumentError("CNI result has an unparsable address \"" + address + "\"");
    }
    SandboxAddress parsed;
    parsed.ip = ip;
    if (entry.contains("gateway") && entry["gateway"].is_string()) {
      parsed.gateway = entry["gateway"].get<std::string>();
      if (!ParseIpv4Address(parsed.gateway).ok()) {
        return InvalidArgumentError("CNI result has an unparsable gateway \"" + parsed.gateway + "\"");
      }
    }
    if (entry.contains("interface") && entry["interface"].is_number_integer()) {
      int index = entry["interface"].get<int>();
      if (index >= 0 && static_cast<std::size_t>(index) < interfaces.size() && interfaces[index].is_object()) {
        const auto& iface = interfaces[index];
        parsed.ifname = iface.value("name", std::string());
        if (!iface.value("sandbox", std::string()).empty()) return parsed;
      }
    }
    if (!fallback) fallback = parsed;
  }
  if (fallback) return *fallback;
  return InvalidArgumentError("CNI result has no IPv4 address: " + result.dump().substr(0, 300));
}

Status PluginFailure(const std::string& what, const CommandResult& result) {
  if (result.timed_out) return DeadlineExceededError(what + ": timed out");
  nlohmann::json error = ErrorObject(result.out);
  if (error.is_null()) error = ErrorObject(result.err);
  if (error.is_null()) {
    std::string detail = FirstLine(result.err);
    if (detail.empty()) detail = FirstLine(result.out);
    return UnavailableError(what + " failed (exit " + std::to_string(result.exit_code) + ")" +
                            (detail.empty() ? "" : ": " + detail));
  }
  int code = error.contains("code") && error["code"].is_number_integer() ? error["code"].get<int>() : 0;
  std::string message = what + " failed (CNI error " + std::to_string(code) + "): " + error["msg"].get<std::string>();
  if (error.contains("details") && error["details"].is_string() && !error["details"].get<std::string>().empty()) {
    message += ": " + error["details"].get<std::string>();
  }
  return Status(CodeFor(code), message);
}

}  // namespace moor::runtime::cni
