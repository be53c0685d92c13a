// The generations of one interface as the kernel sees them: which exist
// under gen/, which one the link runs (asked of the kernel, never cached),
// and their metadata.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "enforcer/bpf/kernel.h"
#include "enforcer/core/layout.h"

namespace sentinel::enforcer::core {

struct GenerationInfo {
  uint64_t number = 0;
  uint32_t prog_id = 0;  // 0 when its program is not pinned (half-removed)
  GenMeta meta;
};

class Generations {
 public:
  Generations(bpf::Kernel& k, Layout layout) : k_(k), l_(std::move(layout)) {}

  const Layout& layout() const { return l_; }
  // Ascending by number.
  std::vector<GenerationInfo> list();
  bpf::Fd link();  // empty when not attached
  // The generation the link runs; nullopt when there is no link or the
  // link runs a program that is not one of ours.
  std::optional<GenerationInfo> live(uint32_t* link_prog_id = nullptr);
  // The generation rollback would return to: the newest one that is not live.
  std::optional<GenerationInfo> previous(uint64_t live_number);
  // Unpins everything in gen/N and removes the directory.
  void remove(uint64_t number);
  // The shared state maps, when created by an earlier apply.
  std::map<std::string, bpf::Fd> state_maps();
  StateMeta state_meta();
  void write_state_meta(const StateMeta& m);

 private:
  bpf::Kernel& k_;
  Layout l_;
};

std::string hex(const uint8_t* p, size_t n);

}  // namespace sentinel::enforcer::core
