#include "compiler/backend/build.h"

#include <map>
#include <nlohmann/json.hpp>

#include "compiler/backend/bpf_compile.h"
#include "compiler/backend/bundle_format.h"
#include "compiler/backend/map_image.h"
#include "compiler/lower/pir_to_plan.h"
#include "compiler/pir/domains/firewall.h"

namespace sentinel::backend {

namespace {

constexpr const char* kFirewallTemplate = "xdp_firewall/xdp_firewall.bpf.c";

std::string keys_image(const dplan::FirewallPlan& plan) {
  bundle::MapImage img{SN_IMAGE_HASH, sizeof(sn_fw_key), sizeof(sn_fw_match), {}};
  img.records.reserve(plan.entries.size());
  for (const auto& [k, m] : plan.entries)
    img.records.emplace_back(bundle::bytes_of(k), bundle::bytes_of(m));
  return bundle::write_image(std::move(img));
}

}  // namespace

std::string compiler_id() {
  return std::string("sentinelc ") + SENTINEL_VERSION + " (LLVM " + llvm_version() + ")";
}

FirewallArtifacts compile_firewall(const pir::Policy& policy) {
  FirewallArtifacts a;
  a.plan = lower::lower_firewall(policy);
  a.object = compile_bpf(kFirewallTemplate, a.plan.defines);
  return a;
}

std::optional<std::string> build_bundle(const pir::Policy& policy, const BuildOptions& options,
                                        std::string* error, bool* policy_error) {
  if (policy_error) *policy_error = false;
  std::map<std::string, std::string> parts;
  nlohmann::json domains = nlohmann::json::object();
  try {
    for (const auto& b : policy.blocks)
      if (b->domain() != DomainId::firewall)
        throw lower::LowerError("the " + std::string(domain_name(b->domain())) +
                                " block checks, but this build cannot enforce it yet");
    if (policy.get<pir::Firewall>()) {
      FirewallArtifacts fw = compile_firewall(policy);
      const auto& plan = fw.plan;
      nlohmann::json maps = {{SN_FW_MAP_TUPLES, "firewall/tuples.img"},
                             {SN_FW_MAP_KEYS, "firewall/keys.img"},
                             {SN_FW_MAP_RULES, "firewall/rules.img"}};
      parts["firewall/program.o"] = std::move(fw.object);
      parts["firewall/config.img"] = bundle::write_rodata_image(plan.config);
      parts["firewall/tuples.img"] = bundle::write_array_image(plan.tuples);
      parts["firewall/keys.img"] = keys_image(plan);
      parts["firewall/rules.img"] = bundle::write_array_image(plan.rules);
      // sn_fw_pir is filled by the loader from this text, in SN_FW_PIR_CHUNK
      // slots; an image of it would only carry the same bytes twice.
      parts["firewall/policy.pir"] = pir::print(policy);
      domains["firewall"] = {
          {"program", "firewall/program.o"},
          {"program_name", SN_FW_PROG},
          {"program_defines", plan.defines},
          {"maps", maps},
          {"rodata", "firewall/config.img"},
          {"rodata_section", ".rodata.sncfg"},
          {"rule_ids", plan.rule_ids},
          {"rules", plan.config.nrules},
          {"tuples", plan.tuples.size()},
          {"entries", plan.entries.size()},
      };
    }
  } catch (const lower::LowerError& e) {
    if (error) *error = e.what();
    if (policy_error) *policy_error = true;
    return std::nullopt;
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return std::nullopt;
  }

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
      {"parts", listed},
      {"domains", domains},
  };
  // nlohmann::json objects are std::maps: keys come out sorted.
  parts[std::string(bundle::kManifest)] = manifest.dump(2) + "\n";
  return bundle::write_bundle(parts);
}

}  // namespace sentinel::backend
