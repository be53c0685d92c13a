// Reading a bundle file for the enforcer: container structure and manifest
// (hashes, format and ABI versions) through sn_bundle, then the firewall
// parts checked against the ABI this enforcer was built with. Nothing here
// touches the kernel; kernel features are checked at apply.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "enforcer/core/firewall_spec.h"

namespace sentinel::enforcer::core {

struct Bundle {
  std::string sha256;  // of the whole file: what status reports
  nlohmann::json manifest;
  FirewallSpec firewall;
};

// Throws core::Error (step "verify") saying exactly what is wrong.
Bundle parse_bundle(std::string_view bytes);
Bundle read_bundle_file(const std::string& path);

}  // namespace sentinel::enforcer::core
