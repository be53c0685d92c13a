#include "enforcer/core/generations.h"

#include <algorithm>
#include <charconv>

#include "enforcer/core/loader.h"

namespace sentinel::enforcer::core {

std::string hex(const uint8_t* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) s += d[p[i] >> 4], s += d[p[i] & 15];
  return s;
}

std::vector<GenerationInfo> Generations::list() {
  std::vector<GenerationInfo> out;
  for (const auto& name : k_.list_dir(l_.gens())) {
    uint64_t n = 0;
    auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), n);
    if (ec != std::errc() || ptr != name.data() + name.size()) continue;
    GenerationInfo g;
    g.number = n;
    if (bpf::Fd p = k_.get_pinned(l_.gen(n, kProgPin))) g.prog_id = k_.prog_id(p);
    if (bpf::Fd m = k_.get_pinned(l_.gen(n, kMetaPin))) {
      uint32_t zero = 0;
      k_.lookup(m, kMetaPin, &zero, &g.meta);
    }
    out.push_back(g);
  }
  std::sort(out.begin(), out.end(),
            [](const GenerationInfo& a, const GenerationInfo& b) { return a.number < b.number; });
  return out;
}

bpf::Fd Generations::link() { return k_.get_pinned(l_.link()); }

std::optional<GenerationInfo> Generations::live(uint32_t* link_prog_id) {
  bpf::Fd l = link();
  if (!l) return std::nullopt;
  uint32_t id = k_.link_prog_id(l);
  if (link_prog_id) *link_prog_id = id;
  for (const auto& g : list())
    if (g.prog_id == id) return g;
  return std::nullopt;
}

std::optional<GenerationInfo> Generations::previous(uint64_t live_number) {
  std::optional<GenerationInfo> best;
  for (const auto& g : list())
    if (g.number != live_number && g.prog_id) best = g;
  return best;
}

void Generations::remove(uint64_t number) {
  std::string dir = l_.gen(number);
  for (const auto& name : k_.list_dir(dir)) k_.unpin(dir + "/" + name);
  k_.remove_dir(dir);
}

std::map<std::string, bpf::Fd> Generations::state_maps() {
  std::map<std::string, bpf::Fd> out;
  for (const char* name : kStateMaps)
    if (bpf::Fd f = k_.get_pinned(l_.state(name))) out[name] = f;
  return out;
}

StateMeta Generations::state_meta() {
  StateMeta m;
  if (bpf::Fd f = k_.get_pinned(l_.state(kMetaPin))) {
    uint32_t zero = 0;
    k_.lookup(f, kMetaPin, &zero, &m);
  }
  return m;
}

void Generations::write_state_meta(const StateMeta& m) {
  bpf::Fd f = k_.get_pinned(l_.state(kMetaPin));
  if (!f) {
    f = k_.create_array("sn_state_meta", sizeof(StateMeta), 1);
    k_.pin(f, l_.state(kMetaPin));
  }
  uint32_t zero = 0;
  k_.update_batch(f, kMetaPin, &zero, &m, 1);
}

}  // namespace sentinel::enforcer::core
