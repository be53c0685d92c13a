#include "enforcer/core/bundle.h"

#include "compiler/backend/bundle_format.h"
#include "compiler/backend/verify.h"
#include "enforcer/core/error.h"

namespace sentinel::enforcer::core {

Bundle parse_bundle(std::string_view bytes, const ReadOptions& opts) {
  try {
    auto v = bundle::verify_bundle(bytes, {opts.public_key});
    Bundle b;
    b.sha256 = std::move(v.sha256);
    b.manifest = std::move(v.manifest);
    b.policy = std::move(v.policy);
    b.plan = std::move(v.plan);
    b.objects = std::move(v.objects);
    b.signed_by = std::move(v.signed_by);
    b.signature_verified = v.signature_verified;
    return b;
  } catch (const bundle::VerifyError& e) {
    throw Error("verify", e.what());
  }
}

Bundle read_bundle_file(const std::string& path, const ReadOptions& opts) {
  std::string err;
  auto bytes = bundle::read_bundle_bytes(path, &err);
  if (!bytes) throw Error("verify", err);
  return parse_bundle(*bytes, opts);
}

Bundle bundle_of(const pir::Policy& policy, std::map<std::string, std::string> objects) {
  Bundle b;
  b.policy = policy;
  b.plan = backend::plan_bundle(policy);
  b.objects = std::move(objects);
  std::string text = pir::print(policy);
  b.sha256 = bundle::sha256_hex(text);
  b.manifest = {{"layout", backend::layout_json(b.plan)}};
  return b;
}

}  // namespace sentinel::enforcer::core
