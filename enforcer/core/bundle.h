// A bundle as the enforcer takes it: read with the format's bounds and
// verified (compiler/backend/verify.h: container, manifest, signature, and
// every part against the policy it carries) before anything touches the
// kernel. Tests and the harness make one from a policy and objects directly.
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "compiler/backend/bundle_plan.h"
#include "compiler/pir/pir.h"

namespace sentinel::enforcer::core {

struct Bundle {
  std::string sha256;  // of the whole file: what status reports
  nlohmann::json manifest;
  pir::Policy policy;
  backend::BundlePlan plan;
  std::map<std::string, std::string> objects;  // part -> ELF
  std::optional<std::string> signed_by;
  bool signature_verified = false;
};

struct ReadOptions {
  std::string public_key;  // require a signature by this Ed25519 key (PEM)
};

// Throws core::Error (step "verify") saying exactly what is wrong.
Bundle parse_bundle(std::string_view bytes, const ReadOptions& opts = {});
Bundle read_bundle_file(const std::string& path, const ReadOptions& opts = {});

// A bundle of `policy` with the given objects (part -> ELF), unverified:
// for tests and the test harness, which compile in process.
Bundle bundle_of(const pir::Policy& policy, std::map<std::string, std::string> objects);

}  // namespace sentinel::enforcer::core
