// The generations of a namespace as bpffs holds them: gen/<N>/ with its
// programs, its generation maps and what the enforcer wrote about it (meta,
// interfaces, policy text, manifest, counter keys). Which one is live, and
// which one rollback returns to, only the selector says (dispatch.h).
#pragma once
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "enforcer/bpf/kernel.h"
#include "enforcer/core/dispatch.h"
#include "enforcer/core/layout.h"

namespace sentinel::enforcer::core {

struct GenerationInfo {
  uint64_t number = 0;
  GenMeta meta;
  bool complete = false;  // meta written: everything else was pinned before it
};

class Generations {
 public:
  Generations(bpf::Kernel& k, const Layout& l) : k_(k), l_(l) {}

  // Ascending by number.
  std::vector<GenerationInfo> list();
  std::optional<GenerationInfo> get(uint64_t n);
  std::string text(uint64_t n, const std::string& which);  // "pir" or "manifest"
  std::vector<IfaceRecord> ifaces(uint64_t n);
  std::set<uint64_t> counter_keys(uint64_t n);
  // Unpins everything in gen/N and removes the directory.
  void remove(uint64_t n);

  // Enforcer-owned maps holding text, records and keys, filled and ready to pin.
  bpf::Fd make_text(const std::string& name, const std::string& text);
  bpf::Fd make_records(const std::string& name, const void* data, uint32_t size, uint32_t count);

  NsMeta ns_meta();
  void write_ns_meta(const NsMeta& m, Undo* undo = nullptr);

 private:
  bpf::Kernel& k_;
  const Layout& l_;
};

std::string hex(const uint8_t* p, size_t n);

}  // namespace sentinel::enforcer::core
