#include "enforcer/core/bundle.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include "compiler/backend/bundle_format.h"
#include "enforcer/core/error.h"

namespace sentinel::enforcer::core {
namespace {

const std::string& part(const std::map<std::string, std::string>& parts, const std::string& name) {
  auto it = parts.find(name);
  if (it == parts.end()) throw Error("verify", "bundle has no part " + name);
  return it->second;
}

MapImage image(const std::map<std::string, std::string>& parts, const std::string& name) {
  std::string err;
  auto img = parse_image(part(parts, name), name, &err);
  if (!img) throw Error("verify", err);
  return std::move(*img);
}

}  // namespace

Bundle parse_bundle(std::string_view bytes) {
  std::string err;
  auto parts = bundle::read_bundle(bytes, &err);
  if (!parts) throw Error("verify", "not a valid bundle: " + err);
  if (!bundle::verify_manifest(*parts, &err))
    throw Error("verify", "manifest check (part sizes, sha256, versions) failed: " + err);

  Bundle b;
  b.sha256 = bundle::sha256_hex(bytes);
  b.manifest = nlohmann::json::parse(part(*parts, "manifest.json"), nullptr, false);
  if (b.manifest.is_discarded()) throw Error("verify", "manifest.json is not valid JSON");
  if (!b.manifest.contains("domains") || !b.manifest["domains"].contains("firewall"))
    throw Error("verify", "bundle has no firewall domain");

  FirewallSpec& fw = b.firewall;
  const std::string& elf = part(*parts, "firewall/program.o");
  fw.elf.assign(elf.begin(), elf.end());
  MapImage cfg = image(*parts, "firewall/config.img");
  if (cfg.kind != SN_IMAGE_RODATA || cfg.count != 1 || cfg.key_size != 0)
    throw Error("verify", "part firewall/config.img: expected one rodata record");
  if (cfg.value_size != sizeof(sn_fw_config))
    throw Error("verify", "part firewall/config.img: config of " +
                              std::to_string(cfg.value_size) + " bytes, the ABI says " +
                              std::to_string(sizeof(sn_fw_config)));
  std::memcpy(&fw.config, cfg.values.data(), sizeof fw.config);
  fw.tuples = image(*parts, "firewall/tuples.img");
  fw.keys = image(*parts, "firewall/keys.img");
  fw.rules = image(*parts, "firewall/rules.img");
  fw.pir = part(*parts, "firewall/policy.pir");
  check_spec(fw);
  return b;
}

Bundle read_bundle_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("verify", "cannot read bundle " + path + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_bundle(ss.str());
}

}  // namespace sentinel::enforcer::core
