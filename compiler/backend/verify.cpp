#include "compiler/backend/verify.h"

#include "compiler/backend/bundle_format.h"
#include "compiler/backend/elf_section.h"
#include "compiler/backend/sign.h"
#include "compiler/lower/pir_to_plan.h"

namespace sentinel::bundle {

namespace {

[[noreturn]] void fail(const std::string& msg) { throw VerifyError(msg); }

// The first place two layouts differ, as a JSON path with both values.
std::string first_difference(const nlohmann::json& want, const nlohmann::json& have, const std::string& path) {
  if (want.type() != have.type()) return path + ": the policy gives " + want.dump() + ", the manifest " + have.dump();
  if (want.is_object()) {
    for (const auto& [k, v] : want.items()) {
      if (!have.contains(k)) return path + "/" + k + ": missing in the manifest";
      auto d = first_difference(v, have[k], path + "/" + k);
      if (!d.empty()) return d;
    }
    for (const auto& [k, v] : have.items())
      if (!want.contains(k)) return path + "/" + k + ": in the manifest, not derived from the policy";
    return {};
  }
  if (want.is_array()) {
    for (size_t i = 0; i < std::min(want.size(), have.size()); ++i) {
      auto d = first_difference(want[i], have[i], path + "/" + std::to_string(i));
      if (!d.empty()) return d;
    }
    if (want.size() != have.size())
      return path + ": the policy gives " + std::to_string(want.size()) + " entries, the manifest " +
             std::to_string(have.size());
    return {};
  }
  if (want != have) return path + ": the policy gives " + want.dump() + ", the manifest " + have.dump();
  return {};
}

}  // namespace

VerifiedBundle verify_bundle(std::string_view bytes, const VerifyOptions& opts) {
  std::string err;
  auto parts = read_bundle(bytes, &err);
  if (!parts) fail("not a valid bundle: " + err);
  if (!verify_manifest(*parts, &err)) fail("manifest check (part sizes, sha256, versions) failed: " + err);

  VerifiedBundle v;
  v.sha256 = sha256_hex(bytes);
  const std::string& manifest_text = parts->at(std::string(kManifest));
  v.manifest = nlohmann::json::parse(manifest_text, nullptr, false);
  if (v.manifest.is_discarded() || !v.manifest.contains("layout") || !v.manifest["layout"].is_object())
    fail("manifest.json has no layout");

  auto sig = parts->find(std::string(kSignaturePartName));
  if (sig != parts->end()) {
    auto j = nlohmann::json::parse(sig->second, nullptr, false);
    if (!j.is_discarded() && j.is_object() && j.contains("key_id") && j["key_id"].is_string())
      v.signed_by = j["key_id"].get<std::string>();
  }
  if (!opts.public_key.empty()) {
    if (sig == parts->end()) fail("the bundle is not signed, and a signature by " + opts.public_key + " is required");
    if (!verify_signature(manifest_text, sig->second, opts.public_key, &err)) fail("signature: " + err);
    v.signature_verified = true;
  }

  auto text = parts->find(backend::kPolicyPart);
  if (text == parts->end()) fail(std::string("bundle has no ") + backend::kPolicyPart);
  auto policy = pir::parse(text->second, &err);
  if (!policy) fail(std::string("part ") + backend::kPolicyPart + " does not parse: " + err);
  v.policy = std::move(*policy);

  try {
    v.plan = backend::plan_bundle(v.policy);
  } catch (const lower::LowerError& e) {
    fail(std::string("the bundle's policy does not fit this build: ") + e.what());
  }
  // Through text, as the manifest went: numbers compare by value, not by how they were made.
  auto derived = nlohmann::json::parse(backend::layout_json(v.plan).dump());
  auto diff = first_difference(derived, v.manifest["layout"], "layout");
  if (!diff.empty()) fail("the manifest does not describe the bundle's policy: " + diff);

  for (const auto& [name, want] : v.plan.parts) {
    auto it = parts->find(name);
    if (it == parts->end()) fail("part " + name + " is missing");
    if (it->second != want) fail("part " + name + " does not match the bundle's policy (" + backend::kPolicyPart + ")");
  }
  for (const auto& o : v.plan.objects) {
    auto it = parts->find(o.part);
    if (it == parts->end()) fail("part " + o.part + " is missing");
    auto marker = elf_section(it->second, ".rodata.snvariant");
    if (!marker) fail("part " + o.part + " is not a Sentinel BPF object (no variant marker)");
    std::string got(marker->substr(0, marker->find('\0')));
    std::string want = backend::variant_string(o);
    if (got != want) fail("part " + o.part + " is the variant " + got + ", the policy needs " + want);
    v.objects[o.part] = it->second;
  }
  for (const auto& [name, body] : *parts) {
    if (name == kManifest || name == kSignaturePartName || v.plan.parts.count(name) || v.objects.count(name)) continue;
    fail("part " + name + " is not part of the bundle's policy");
  }
  return v;
}

}  // namespace sentinel::bundle
