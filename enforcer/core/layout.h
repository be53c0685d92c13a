// Where an interface's objects live under the bpffs root:
//
//   <root>/<ifname>/link              the pinned XDP link
//   <root>/<ifname>/state/<map>       shared state maps (counters, events,
//                                     ring stats) and state/meta
//   <root>/<ifname>/gen/<N>/prog      generation N's program
//   <root>/<ifname>/gen/<N>/<map>     its own maps, "config" (.rodata.sncfg)
//                                     and "meta"
//
// bpffs holds only BPF objects, so metadata lives in small array maps.
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
  std::string ifname;

  std::string iface() const { return root + "/" + ifname; }
  std::string link() const { return iface() + "/link"; }
  std::string state() const { return iface() + "/state"; }
  std::string state(const std::string& obj) const { return state() + "/" + obj; }
  std::string gens() const { return iface() + "/gen"; }
  std::string gen(uint64_t n) const { return gens() + "/" + std::to_string(n); }
  std::string gen(uint64_t n, const std::string& obj) const { return gen(n) + "/" + obj; }
};

// Generation metadata, one entry of the enforcer-created array "meta".
struct GenMeta {
  uint64_t generation = 0;
  uint64_t applied_unix = 0;
  uint8_t bundle_sha256[32] = {};
};

// Per-interface metadata in state/meta: generation numbers never repeat.
struct StateMeta {
  uint64_t last_generation = 0;
};

inline constexpr const char* kProgPin = "prog";
inline constexpr const char* kConfigPin = "config";
inline constexpr const char* kMetaPin = "meta";
inline constexpr const char* kConfigMap = ".rodata.sncfg";

}  // namespace sentinel::enforcer::core
