// Bundle verification, shared by the enforcer (before anything touches the
// kernel) and `sentinelc inspect`: the container and its manifest (sizes,
// SHA-256, format and ABI versions), the signature when a key is required,
// and then every part against the others. policy.pir is the source of
// truth: the layout of the manifest and every data part (map images,
// rodata, counter keys) must be exactly what this build derives from it,
// and each BPF object must say it is the variant the manifest names. A part
// that does not agree, or that nothing explains, is refused.
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "compiler/backend/bundle_plan.h"
#include "compiler/pir/pir.h"

namespace sentinel::bundle {

struct VerifyError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct VerifyOptions {
  // An Ed25519 public key (PEM): the bundle must carry a valid signature by it.
  std::string public_key;
};

struct VerifiedBundle {
  std::string sha256;  // of the whole file
  nlohmann::json manifest;
  pir::Policy policy;
  backend::BundlePlan plan;                     // derived from policy.pir, equal to the manifest's
  std::map<std::string, std::string> objects;  // part -> ELF
  std::optional<std::string> signed_by;         // key id of a signature, verified or not
  bool signature_verified = false;
};

// Throws VerifyError saying what is wrong and where.
VerifiedBundle verify_bundle(std::string_view bytes, const VerifyOptions& opts = {});

}  // namespace sentinel::bundle
