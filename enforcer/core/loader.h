// Loads one firewall generation into the kernel and fills it completely:
// config rodata, tuple, key and rule maps (batch updates) and the policy
// text; counters are created by the program on first use. Nothing is pinned
// or attached here; the caller decides. Shared by apply and the test harness.
#pragma once
#include <map>
#include <string>

#include "enforcer/bpf/kernel.h"
#include "enforcer/core/firewall_spec.h"

namespace sentinel::enforcer::core {

// The maps a generation owns (pinned under gen/N) and the state maps it
// shares with every other generation of the interface (pinned under state/).
inline constexpr const char* kGenMaps[] = {SN_FW_MAP_TUPLES, SN_FW_MAP_KEYS, SN_FW_MAP_RULES,
                                           SN_FW_MAP_PIR};
inline constexpr const char* kStateMaps[] = {SN_FW_MAP_COUNTERS, SN_FW_MAP_EVENTS,
                                             SN_FW_MAP_RINGSTAT};

struct LoadOptions {
  std::string what = "firewall";  // for messages
  uint64_t generation = 0;        // written into the config rodata
  std::map<std::string, bpf::Fd> reuse;  // shared state maps of the interface
  // Replaces computed max_entries; lets tests provoke real kernel failures.
  std::map<std::string, uint32_t> max_entries_override;
};

struct LoadedGeneration {
  bpf::Fd prog;
  uint32_t prog_id = 0;
  std::map<std::string, bpf::Fd> maps;  // by libbpf name, incl. ".rodata.sncfg"
};

// Throws core::Error with step "load" (the verifier log attached) or "fill".
LoadedGeneration load_firewall(bpf::Kernel& k, const FirewallSpec& spec, const LoadOptions& o);

// BPF_PROG_TEST_RUN sanity checks before a program may see traffic: an ARP
// frame must pass, an IPv4 TCP frame must pass or drop. Throws step "smoke test".
void smoke_test(bpf::Kernel& k, const LoadedGeneration& g);

// Frames for the smoke test, also handy for tests.
std::vector<uint8_t> arp_frame();
std::vector<uint8_t> ipv4_tcp_frame(uint32_t saddr_be, uint32_t daddr_be, uint16_t sport,
                                    uint16_t dport);

// Reads the policy text stored in an sn_fw_pir map.
std::string read_pir(bpf::Kernel& k, const bpf::Fd& pir_map);

}  // namespace sentinel::enforcer::core
