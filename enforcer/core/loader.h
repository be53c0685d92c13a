// Loads one generation into the kernel and fills it completely: every
// object of the bundle in order, sharing maps by name (maps another object
// of the generation made, host maps pinned by earlier generations), rodata
// from the bundle, generation maps from their images (batch updates), the
// XDP chain's tail-call slots. Nothing is pinned or attached here; the
// caller decides. Shared by apply and the test harness.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "enforcer/bpf/kernel.h"
#include "enforcer/core/bundle.h"

namespace sentinel::enforcer::core {

struct LoadOptions {
  std::string what = "generation";  // for messages
  // Host maps that exist already (pinned state of the namespace), by name.
  std::map<std::string, bpf::Fd> host_maps;
  // Replaces a map's max_entries; lets tests provoke real kernel failures.
  std::map<std::string, uint32_t> max_entries_override;
  // The interfaces the generation will run on, name -> ifindex: the
  // interface maps (backend::MapSpec::ifaces) get each one a rule names.
  std::map<std::string, uint32_t> ifindexes;
};

struct LoadedGeneration {
  std::map<std::string, bpf::Fd> progs;  // by program name
  std::map<std::string, uint32_t> prog_ids;
  std::map<std::string, bpf::Fd> maps;   // every map of the plan, by name
  std::set<std::string> created_host;    // host maps this load created
  // The programs the dispatcher runs, by hook (backend::Hook, not tail calls).
  std::map<backend::Hook, std::string> entries;
};

// Checks each object against the plan before loading (its programs, the
// maps it declares and their shapes, pinned host maps' shapes). Throws
// core::Error with step "check", "load" (the verifier log attached) or
// "fill".
LoadedGeneration load_generation(bpf::Kernel& k, const Bundle& b, const LoadOptions& o);

// BPF_PROG_TEST_RUN of quiet frames through the generation's entries: an
// ARP frame must pass XDP untouched, an IPv4 TCP frame must get a valid
// verdict at every hook. Quiet frames change no counter, event or state.
// Throws step "smoke test".
void smoke_test(bpf::Kernel& k, const LoadedGeneration& g);

// Frames for the smoke test, also handy for tests.
std::vector<uint8_t> arp_frame();
std::vector<uint8_t> ipv4_tcp_frame(uint32_t saddr_be, uint32_t daddr_be, uint16_t sport, uint16_t dport);

// The test context of sentinel/abi/meta.h: XDP metadata and TC cb words.
std::vector<uint8_t> xdp_meta(bool quiet, std::optional<uint64_t> time_ns);
std::array<uint32_t, 5> tc_cb(bool quiet, std::optional<uint64_t> time_ns);

bpf::MapKind map_kind(backend::MapType t);

}  // namespace sentinel::enforcer::core
