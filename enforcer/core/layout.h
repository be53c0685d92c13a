// Where the enforcer keeps things under the bpffs root. One policy runs per
// network namespace, so everything of a namespace lives under a directory
// named by its cookie (unique while the machine is up):
//
//   <root>/                                   flock'ed by apply, rollback, detach; never removed
//   <root>/ns-<cookie>/meta                   last generation number, dispatcher version
//   <root>/ns-<cookie>/dispatch/              the fixed dispatchers (dispatch.h):
//       prog-xdp prog-tc_in prog-tc_out       programs
//       sn_select sn_disp_xdp sn_disp_tc sn_disp_stats   selector, bank slots, counts
//   <root>/ns-<cookie>/links/<ifindex>/       one interface: its links to the dispatchers
//       xdp tcx_ingress tcx_egress meta       (meta: the name it had when attached)
//   <root>/ns-<cookie>/state/<map>            host-scoped maps: counters, rings, the
//                                             connection table, rate buckets
//   <root>/ns-<cookie>/gen/<N>/               generation N:
//       prog-<name>                           its programs
//       map-<name>                            its generation-scoped maps
//       meta ifaces pir manifest ckeys        what it is: number, bank, bundle sha256;
//                                             its interfaces; its policy text and
//                                             manifest; its counter keys
//
// bpffs holds only BPF objects, so metadata lives in small array maps, and
// refuses names with a dot, so none has one. The
// live generation is never written down apart from the selector: the one
// word whose write is the switch.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <string>

namespace sentinel::enforcer::core {

inline constexpr const char* kDefaultBpffsRoot = "/sys/fs/bpf/sentinel";

// --bpffs wins, then SENTINEL_BPFFS, then the default.
inline std::string bpffs_root(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* e = std::getenv("SENTINEL_BPFFS"); e && *e) return e;
  return kDefaultBpffsRoot;
}

struct Layout {
  std::string root;
  uint64_t netns = 0;

  std::string ns() const { return root + "/ns-" + std::to_string(netns); }
  std::string ns_meta() const { return ns() + "/meta"; }
  std::string dispatch() const { return ns() + "/dispatch"; }
  std::string dispatch(const std::string& obj) const { return dispatch() + "/" + obj; }
  std::string links() const { return ns() + "/links"; }
  std::string link_dir(uint32_t ifindex) const { return links() + "/" + std::to_string(ifindex); }
  std::string link(uint32_t ifindex, const std::string& hook) const { return link_dir(ifindex) + "/" + hook; }
  std::string state() const { return ns() + "/state"; }
  std::string state(const std::string& map) const { return state() + "/" + map; }
  std::string gens() const { return ns() + "/gen"; }
  std::string gen(uint64_t n) const { return gens() + "/" + std::to_string(n); }
  std::string gen(uint64_t n, const std::string& obj) const { return gen(n) + "/" + obj; }
};

// ns-<cookie>/meta
struct NsMeta {
  uint64_t last_generation = 0;  // generation numbers never repeat
  uint32_t dispatch_version = 0;
  uint32_t pad = 0;
};

// gen/<N>/meta
struct GenMeta {
  uint64_t generation = 0;
  uint64_t applied_unix = 0;
  uint32_t bank = 0;
  uint32_t hooks = 0;  // bit per Hook the generation uses: 1 xdp, 2 tcx ingress, 4 tcx egress
  uint8_t bundle_sha256[32] = {};
};

// gen/<N>/ifaces and links/<ifindex>/meta entries.
struct IfaceRecord {
  uint32_t ifindex = 0;
  char name[16] = {};
};

inline constexpr uint32_t kHookXdp = 1, kHookTcxIngress = 2, kHookTcxEgress = 4;
inline constexpr const char* kLinkNames[] = {"xdp", "tcx_ingress", "tcx_egress"};
inline constexpr uint32_t kMaxIfaces = 64;
// Text in maps (policy, manifest) goes in slots of this many bytes.
inline constexpr uint32_t kTextChunk = 4096;

}  // namespace sentinel::enforcer::core
