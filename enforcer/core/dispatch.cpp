#include "enforcer/core/dispatch.h"

#include <cstring>

#include "enforcer/core/error.h"
#include "enforcer/core/links.h"

namespace sentinel::enforcer::core {

namespace {

constexpr const char* kMaps[] = {SN_MAP_SELECTOR, SN_MAP_DISPATCH_XDP, SN_MAP_DISPATCH_TC, SN_MAP_DISPATCH_STATS};

struct HookProg {
  backend::Hook hook;
  const char* prog;
  const char* pin;
};
constexpr HookProg kProgs[] = {
    {backend::Hook::Xdp, SN_PROG_DISPATCH_XDP, "prog-xdp"},
    {backend::Hook::TcxIngress, SN_PROG_DISPATCH_TC_INGRESS, "prog-tc_in"},
    {backend::Hook::TcxEgress, SN_PROG_DISPATCH_TC_EGRESS, "prog-tc_out"},
};

// The slot of `bank` for `hook` and the prog array it is in.
std::pair<const char*, uint32_t> slot(backend::Hook hook, uint32_t bank) {
  switch (hook) {
    case backend::Hook::Xdp: return {SN_MAP_DISPATCH_XDP, bank};
    case backend::Hook::TcxIngress: return {SN_MAP_DISPATCH_TC, bank * 2 + SN_TC_INGRESS};
    case backend::Hook::TcxEgress: return {SN_MAP_DISPATCH_TC, bank * 2 + SN_TC_EGRESS};
    default: break;
  }
  throw Error("dispatch", "no dispatcher slot for a tail call");
}

}  // namespace

const char* dispatcher_pin(backend::Hook hook) {
  for (const auto& p : kProgs)
    if (p.hook == hook) return p.pin;
  return "";
}

bool Dispatcher::exists() { return static_cast<bool>(k_.get_pinned(l_.dispatch(SN_MAP_SELECTOR))); }

bpf::Loaded Dispatcher::load(const std::map<std::string, bpf::Fd>& reuse) {
  std::string_view obj = dispatcher_object();
  bpf::LoadSpec ls;
  ls.what = "dispatcher";
  ls.elf = {reinterpret_cast<const uint8_t*>(obj.data()), obj.size()};
  for (const auto& p : kProgs) ls.programs.push_back(p.prog);
  ls.reuse = reuse;
  try {
    return k_.load(ls);
  } catch (const bpf::BpfError& e) {
    throw Error("dispatch", e.what(), e.log());
  }
}

bool Dispatcher::ensure(Undo& undo, uint32_t pinned_version) {
  std::map<std::string, bpf::Fd> have;
  for (const char* m : kMaps)
    if (bpf::Fd f = k_.get_pinned(l_.dispatch(m))) have[m] = f;
  size_t progs = 0;
  for (const auto& p : kProgs) progs += static_cast<bool>(k_.get_pinned(l_.dispatch(p.pin)));
  bool complete = have.size() == std::size(kMaps) && progs == std::size(kProgs);
  if (complete && pinned_version == SN_DISPATCH_VERSION) return false;
  if (have.empty() && progs == 0 && k_.list_dir(l_.dispatch()).empty()) {
    k_.make_dir(l_.dispatch());
    undo.dirs.push_back(l_.dispatch());
  }
  bool fresh_selector = !have.count(SN_MAP_SELECTOR);
  bpf::Loaded l = load(have);
  bool upgrade = progs > 0;
  if (upgrade) {
    // Another version of the dispatchers runs (or a kill left some pinned):
    // every link moves to the new programs by compare-and-swap, then the
    // pins follow. Old and new read the same selector and banks, so this
    // changes no verdict, and it is not undone when the apply fails later.
    for (const auto& dir : k_.list_dir(l_.links())) {
      for (const auto& p : kProgs) {
        bpf::Fd link = k_.get_pinned(l_.links() + "/" + dir + "/" + link_name(p.hook));
        if (!link) continue;
        bpf::LinkInfo info = k_.link_info(link);
        uint32_t want = k_.prog_id(l.progs.at(p.prog));
        if (info.ifindex != 0 && info.prog_id != want)
          k_.link_update(link, l.progs.at(p.prog), k_.prog_by_id(info.prog_id));
      }
    }
    for (const auto& p : kProgs) {
      std::string path = l_.dispatch(p.pin);
      k_.unpin(path);
      k_.pin(l.progs.at(p.prog), path);
    }
  } else {
    for (const auto& p : kProgs) {
      std::string path = l_.dispatch(p.pin);
      k_.pin(l.progs.at(p.prog), path);
      undo.pins.push_back(path);
    }
  }
  if (fresh_selector) {
    // A new array reads as zero: bank 0, a live generation 0. The selector
    // says "none" before it is pinned, so that a kill between the two never
    // leaves a selector naming a bank nobody loaded.
    sn_selector none{};
    none.bank = none.prev_bank = SN_BANK_NONE;
    uint32_t zero = 0;
    k_.update_batch(l.maps.at(SN_MAP_SELECTOR), SN_MAP_SELECTOR, &zero, &none, 1);
  }
  for (const char* m : kMaps) {
    if (have.count(m)) continue;
    k_.pin(l.maps.at(m), l_.dispatch(m));
    undo.pins.push_back(l_.dispatch(m));
  }
  return upgrade;
}

std::optional<sn_selector> Dispatcher::selector() {
  bpf::Fd m = k_.get_pinned(l_.dispatch(SN_MAP_SELECTOR));
  if (!m) return std::nullopt;
  sn_selector s{};
  uint32_t zero = 0;
  if (!k_.lookup(m, SN_MAP_SELECTOR, &zero, &s)) return std::nullopt;
  return s;
}

void Dispatcher::write_selector(const sn_selector& s) {
  bpf::Fd m = k_.get_pinned(l_.dispatch(SN_MAP_SELECTOR));
  if (!m) throw Error("switch", "no selector under " + l_.dispatch());
  uint32_t zero = 0;
  // One update of one array element: the switch.
  k_.update_batch(m, SN_MAP_SELECTOR, &zero, &s, 1);
}

bpf::Fd Dispatcher::prog(backend::Hook hook) {
  bpf::Fd p = k_.get_pinned(l_.dispatch(dispatcher_pin(hook)));
  if (!p) throw Error("dispatch", std::string("no dispatcher program ") + dispatcher_pin(hook));
  return p;
}

void Dispatcher::load_bank(uint32_t bank, const std::map<backend::Hook, bpf::Fd>& entries) {
  for (const auto& p : kProgs) {
    auto [map, index] = slot(p.hook, bank);
    bpf::Fd arr = k_.get_pinned(l_.dispatch(map));
    auto it = entries.find(p.hook);
    if (it != entries.end())
      k_.set_prog(arr, map, index, it->second);
    else
      k_.clear_prog(arr, map, index);
  }
}

void Dispatcher::clear_bank(uint32_t bank) { load_bank(bank, {}); }

std::map<backend::Hook, uint32_t> Dispatcher::bank(uint32_t bank) {
  std::map<backend::Hook, uint32_t> out;
  for (const auto& p : kProgs) {
    auto [map, index] = slot(p.hook, bank);
    bpf::Fd arr = k_.get_pinned(l_.dispatch(map));
    out[p.hook] = arr ? k_.prog_in(arr, map, index) : 0;
  }
  return out;
}

std::array<uint64_t, SN_DISP_NSTATS> Dispatcher::stats() {
  std::array<uint64_t, SN_DISP_NSTATS> out{};
  bpf::Fd m = k_.get_pinned(l_.dispatch(SN_MAP_DISPATCH_STATS));
  if (!m) return out;
  unsigned cpus = k_.possible_cpus();
  std::vector<uint64_t> v(cpus);
  for (uint32_t i = 0; i < SN_DISP_NSTATS; ++i) {
    std::fill(v.begin(), v.end(), 0);
    if (k_.lookup(m, SN_MAP_DISPATCH_STATS, &i, v.data(), v.size()))
      for (uint64_t x : v) out[i] += x;
  }
  return out;
}

}  // namespace sentinel::enforcer::core
