#include "compiler/backend/build.h"

#include <nlohmann/json.hpp>

#include "compiler/backend/bpf_compile.h"
#include "compiler/backend/bundle_format.h"
#include "compiler/backend/sign.h"
#include "compiler/lower/pir_to_plan.h"

extern "C" {
#include "sentinel/abi/common.h"
}

namespace sentinel::backend {

std::string compiler_id() { return std::string("sentinelc ") + SENTINEL_VERSION + " (LLVM " + llvm_version() + ")"; }

Artifacts compile_artifacts(const pir::Policy& policy, bool precompiled) {
  Artifacts a;
  a.plan = plan_bundle(policy);
  for (const auto& o : a.plan.objects) a.objects[o.part] = object_for(o.templ, o.defines, precompiled, &a.sources);
  return a;
}

std::optional<std::string> build_bundle(const pir::Policy& policy, const BuildOptions& options, std::string* error,
                                        bool* policy_error) {
  if (policy_error) *policy_error = false;
  Artifacts a;
  try {
    a = compile_artifacts(policy, options.precompiled);
  } catch (const lower::LowerError& e) {
    if (error) *error = e.what();
    if (policy_error) *policy_error = true;
    return std::nullopt;
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return std::nullopt;
  }
  std::map<std::string, std::string> parts = std::move(a.plan.parts);
  for (auto& [name, elf] : a.objects) parts[name] = std::move(elf);

  nlohmann::json listed = nlohmann::json::object();
  for (const auto& [name, bytes] : parts)
    listed[name] = {{"size", bytes.size()}, {"sha256", bundle::sha256_hex(bytes)}};
  nlohmann::json manifest = {
      {"format", bundle::kFormatName},
      {"format_version", bundle::kFormatVersion},
      {"abi_version", SN_ABI_VERSION},
      {"compiler", compiler_id()},
      {"policy",
       {{"revision", options.revision ? nlohmann::json(*options.revision) : nlohmann::json()},
        {"dirty", options.dirty}}},
      {"layout", layout_json(a.plan)},
      {"parts", listed},
  };
  // nlohmann::json objects are std::maps: keys come out sorted.
  std::string text = manifest.dump(2) + "\n";
  if (!options.sign_key.empty()) {
    auto sig = bundle::sign_manifest(text, options.sign_key, error);
    if (!sig) return std::nullopt;
    parts[std::string(bundle::kSignaturePartName)] = std::move(*sig);
  }
  parts[std::string(bundle::kManifest)] = std::move(text);
  return bundle::write_bundle(parts);
}

}  // namespace sentinel::backend
