// A fake kernel shaped like the firewall object, and small specs to apply.
#pragma once
#include <string>

#include "enforcer/bpf/fake_kernel.h"
#include "enforcer/core/bundle.h"
#include "enforcer/core/enforcer.h"

namespace sentinel::enforcer::test {

inline const char* kRoot = "/sys/fs/bpf/unit";
inline const char* kIf = "veth0";
inline constexpr int kIfindex = 7;

inline void shape_like_firewall(bpf::FakeKernel& k) {
  using bpf::MapKind;
  k.object_prog = SN_FW_PROG;
  k.object_maps = {
      {SN_FW_MAP_TUPLES, MapKind::Array, 4, sizeof(sn_fw_tuple), SN_FW_MAX_TUPLES},
      {SN_FW_MAP_KEYS, MapKind::Hash, sizeof(sn_fw_key), sizeof(sn_fw_match), 1},
      {SN_FW_MAP_RULES, MapKind::Array, 4, sizeof(sn_fw_rule), 65536},
      {SN_FW_MAP_PIR, MapKind::Array, 4, SN_FW_PIR_CHUNK, 1},
      {SN_FW_MAP_COUNTERS, MapKind::PercpuHash, 8, sizeof(sn_counter), 65536},
      {SN_FW_MAP_EVENTS, MapKind::Ringbuf, 0, 0, 1 << 20},
      {SN_FW_MAP_RINGSTAT, MapKind::PercpuArray, 4, sizeof(sn_ring_stats), 1},
      {".rodata.sncfg", MapKind::Array, 4, sizeof(sn_fw_config), 1},
  };
}

// A bundle with `nrules` rules (ids r0..), one tuple, one key per rule.
inline core::Bundle make_bundle(int nrules, uint32_t default_action, const std::string& sha,
                                const std::string& pir = "pir 1\n") {
  core::Bundle b;
  b.sha256 = sha;
  core::FirewallSpec& s = b.firewall;
  s.elf = {0x7f, 'E', 'L', 'F'};
  s.config.ntuples = 1;
  s.config.nrules = nrules;
  s.config.default_action = default_action;
  s.config.malformed_counter_key = 0xbad;
  std::vector<sn_fw_tuple> tuples(1);
  tuples[0].family = 4;
  std::vector<std::pair<sn_fw_key, sn_fw_match>> keys;
  std::vector<sn_fw_rule> rules;
  for (int i = 0; i < nrules; ++i) {
    sn_fw_key k{};
    k.family = 4;
    k.dport = static_cast<uint16_t>(1000 + i);
    keys.push_back({k, sn_fw_match{static_cast<uint32_t>(i)}});
    rules.push_back(sn_fw_rule{0x1000u + i, SN_FW_DENY, 0});
  }
  rules.push_back(sn_fw_rule{0xdef, default_action, 0});
  s.tuples = core::make_array_image(tuples);
  s.keys = core::make_image(SN_IMAGE_HASH, keys);
  s.rules = core::make_array_image(rules);
  s.pir = pir;
  return b;
}

inline std::string sha(char c) { return std::string(64, c); }

}  // namespace sentinel::enforcer::test
