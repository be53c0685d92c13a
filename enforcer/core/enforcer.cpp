#include "enforcer/core/enforcer.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <set>

#include "enforcer/core/error.h"
#include "enforcer/core/links.h"
#include "enforcer/core/loader.h"

extern "C" {
#include "sentinel/abi/common.h"
}

namespace sentinel::enforcer::core {

namespace {

void unhex(const std::string& h, uint8_t* out, size_t n) {
  auto v = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (size_t i = 0; i < n && 2 * i + 1 < h.size(); ++i) out[i] = static_cast<uint8_t>(v(h[2 * i]) << 4 | v(h[2 * i + 1]));
}

// Undoes what a failed operation pinned and made, newest first. Quiet: the
// failure that got us here is what the user needs to read.
void undo_all(bpf::Kernel& k, const Undo& u) {
  for (auto it = u.pins.rbegin(); it != u.pins.rend(); ++it) {
    try {
      k.unpin(*it);
    } catch (...) {
    }
  }
  for (auto it = u.dirs.rbegin(); it != u.dirs.rend(); ++it) {
    try {
      k.remove_dir(*it);
    } catch (...) {
    }
  }
}

uint32_t hooks_of(const backend::BundlePlan& p) {
  uint32_t h = 0;
  for (const auto& o : p.objects)
    for (const auto& pr : o.programs) h |= hook_bit(pr.hook);
  return h;
}

std::string iface_name(const IfaceRecord& r) { return std::string(r.name, strnlen(r.name, sizeof r.name)); }

// The root is locked for the whole of a changing operation: apply, rollback
// and detach of every namespace under it take turns. The root itself is
// never removed, so the lock never lives in a directory that goes away.
std::shared_ptr<void> lock_root(bpf::Kernel& k, const std::string& root) {
  try {
    for (size_t pos = 1; pos != std::string::npos;) {
      pos = root.find('/', pos + 1);
      k.make_dir(root.substr(0, pos));
    }
    return k.lock_dir(root);
  } catch (const bpf::BpfError& e) {
    throw Error("lock", e.what());
  }
}

}  // namespace

Enforcer::Enforcer(bpf::Kernel& k, std::string root) : k_(k) {
  l_.root = std::move(root);
  l_.netns = k_.netns_cookie();
}

ApplyResult Enforcer::apply(const Bundle& b, const ApplyOptions& o) {
  ApplyResult r;
  auto step = [&](const char* s) {
    if (o.after_step) o.after_step(s);
  };

  bpf::Features f = k_.features(l_.root);
  if (!f.bpffs) throw Error("kernel features", l_.root + " is not on a bpffs mount");
  if (!f.xdp) throw Error("kernel features", "the kernel cannot load XDP programs");
  if (!f.ringbuf) throw Error("kernel features", "the kernel has no BPF ring buffer");
  uint32_t hooks = hooks_of(b.plan);
  if ((hooks & (kHookTcxIngress | kHookTcxEgress)) && !f.tc)
    throw Error("kernel features", "the kernel cannot load TC programs");
  if (!hooks) throw Error("plan", "the bundle has no program to attach: its policy has no domain block");

  // `--iface a --iface a` names one interface.
  std::vector<std::string> names;
  for (const auto& n : o.ifaces.empty() ? b.plan.interfaces : o.ifaces)
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  if (names.empty())
    throw Error("interfaces", "the policy names no interfaces (`firewall on @group`) and none was given with --iface");
  std::vector<IfaceRecord> ifaces;
  for (const auto& name : names) {
    if (name.size() >= sizeof(IfaceRecord::name)) throw Error("interfaces", "interface name too long: " + name);
    IfaceRecord rec{};
    rec.ifindex = k_.ifindex_of(name);
    if (!rec.ifindex) throw Error("interfaces", "no interface " + name + " in this network namespace");
    std::strncpy(rec.name, name.c_str(), sizeof rec.name - 1);
    ifaces.push_back(rec);
  }
  if (ifaces.size() > kMaxIfaces) throw Error("interfaces", "more than " + std::to_string(kMaxIfaces) + " interfaces");
  r.interfaces = names;
  // `on` names an interface this generation does not run on: such a rule
  // (or its part for that interface) never matches here.
  for (const auto& m : b.plan.maps)
    for (const auto& name : m.ifaces)
      if (std::find(names.begin(), names.end(), name) == names.end())
        r.warnings.push_back("rules name interface " + name +
                             ", which this generation does not run on: `on " + name + "` never matches here");

  auto lock = lock_root(k_, l_.root);
  Dispatcher d(k_, l_);
  Generations gens(k_, l_);
  std::optional<sn_selector> sel;
  std::vector<GenerationInfo> existing;
  NsMeta nsm;
  try {
    sel = d.selector();
    existing = gens.list();
    nsm = gens.ns_meta();
  } catch (const bpf::BpfError& e) {
    throw Error("read live state", e.what());
  }
  bool has_live = sel && sel->bank != SN_BANK_NONE;
  uint32_t live_bank = has_live ? sel->bank : SN_BANK_NONE;
  uint32_t prev_bank = sel ? sel->prev_bank : SN_BANK_NONE;
  uint64_t n = nsm.last_generation;
  for (const auto& g : existing) n = std::max(n, g.number);
  ++n;
  uint32_t bank = 0;
  while (bank == live_bank || bank == prev_bank) ++bank;
  r.generation = n;
  r.bank = bank;

  Undo undo;
  // A directory this apply makes is one its failure removes (when empty).
  auto make_dir = [&](const std::string& path) {
    if (k_.list_dir(path).empty()) undo.dirs.push_back(path);
    k_.make_dir(path);
  };
  // Once the new bank holds programs, a failure empties it again: a free
  // bank that keeps them would keep a dead generation's programs and maps
  // in the kernel until some later apply happens to take that bank.
  bool bank_loaded = false;
  auto fail = [&] {
    if (bank_loaded) {
      try {
        d.clear_bank(bank);
      } catch (...) {
      }
    }
    undo_all(k_, undo);
  };
  LoadedGeneration g;
  try {
    make_dir(l_.ns());
    if (d.ensure(undo, nsm.dispatch_version)) {
      // Upgraded in place: recorded now, whatever happens to this apply.
      nsm.dispatch_version = SN_DISPATCH_VERSION;
      gens.write_ns_meta(nsm, &undo);
      r.dispatcher_upgraded = true;
    }
    step("dispatch");

    LoadOptions lo;
    lo.what = "generation " + std::to_string(n);
    for (const auto& name : k_.list_dir(l_.state()))
      if (bpf::Fd m = k_.get_pinned(l_.state(name))) lo.host_maps[name] = m;
    lo.max_entries_override = o.max_entries_override;
    for (const auto& rec : ifaces) lo.ifindexes[rec.name] = rec.ifindex;
    g = load_generation(k_, b, lo);
    step("load");
    smoke_test(k_, g);
    step("smoke test");

    // Pin the generation: programs, its own maps, what it is. Numbers are
    // taken before anything else, so they never repeat even after a failure.
    nsm.last_generation = n;
    nsm.dispatch_version = SN_DISPATCH_VERSION;
    gens.write_ns_meta(nsm, &undo);
    make_dir(l_.gens());
    if (!k_.list_dir(l_.gen(n)).empty()) throw Error("pin", l_.gen(n) + " exists already");
    make_dir(l_.gen(n));
    auto pin = [&](const bpf::Fd& obj, const std::string& path) {
      k_.pin(obj, path);
      undo.pins.push_back(path);
    };
    for (const auto& [name, fd] : g.progs) pin(fd, l_.gen(n, "prog-" + name));
    for (const auto& m : b.plan.maps)
      if (m.scope == backend::Scope::Generation) pin(g.maps.at(m.name), l_.gen(n, "map-" + m.name));
    pin(gens.make_text("pir", pir::print(b.policy)), l_.gen(n, "pir"));
    pin(gens.make_text("manifest", b.manifest.dump()), l_.gen(n, "manifest"));
    std::vector<uint64_t> ckeys = b.plan.counter_keys;
    pin(gens.make_records("ckeys", ckeys.data(), 8, static_cast<uint32_t>(ckeys.size())), l_.gen(n, "ckeys"));
    pin(gens.make_records("ifaces", ifaces.data(), sizeof(IfaceRecord), static_cast<uint32_t>(ifaces.size())),
        l_.gen(n, "ifaces"));
    if (!g.created_host.empty()) {
      make_dir(l_.state());
      for (const auto& name : g.created_host) {
        pin(g.maps.at(name), l_.state(name));
        r.state_created.push_back(name);
      }
    }
    GenMeta meta;
    meta.generation = n;
    meta.applied_unix = static_cast<uint64_t>(std::time(nullptr));
    meta.bank = bank;
    meta.hooks = hooks;
    unhex(b.sha256, meta.bundle_sha256, sizeof meta.bundle_sha256);
    // Written last: a generation with meta is complete.
    pin(gens.make_records("meta", &meta, sizeof meta, 1), l_.gen(n, "meta"));
    step("pin");

    make_dir(l_.links());
    for (const auto& rec : ifaces) {
      size_t before = undo.pins.size();
      ensure_links(k_, l_, d, rec.ifindex, iface_name(rec), hooks, undo);
      for (size_t i = before; i < undo.pins.size(); ++i) {
        std::string p = undo.pins[i];
        std::string hook = p.substr(p.rfind('/') + 1);
        if (hook != "meta") r.links_created.push_back(iface_name(rec) + " " + hook);
      }
    }
    step("attach");

    std::map<backend::Hook, bpf::Fd> entries;
    for (const auto& [hook, name] : g.entries) entries[hook] = g.progs.at(name);
    bank_loaded = true;
    d.load_bank(bank, entries);
    step("bank");
  } catch (const bpf::BpfError& e) {
    fail();
    throw Error("apply", e.what(), e.log());
  } catch (...) {
    fail();
    throw;
  }

  // The switch: one write, every hook of every interface at once.
  sn_selector s{};
  s.bank = bank;
  s.generation = n;
  s.prev_bank = has_live ? live_bank : SN_BANK_NONE;
  s.prev_generation = has_live ? sel->generation : 0;
  s.switched_unix = static_cast<uint64_t>(std::time(nullptr));
  try {
    auto t0 = std::chrono::steady_clock::now();
    d.write_selector(s);
    r.switch_ns = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count());
  } catch (const bpf::BpfError& e) {
    fail();
    throw Error("switch", e.what());
  }
  if (has_live) r.previous = sel->generation;

  // From here on problems are only warnings: the new generation runs.
  auto warn = [&](const std::string& what, const std::exception& e) { r.warnings.push_back(what + ": " + e.what()); };
  std::set<uint64_t> keep = {n};
  if (has_live) keep.insert(sel->generation);
  // Every bank but the two kept ones is emptied, whatever left programs
  // there: a generation removed below, or an apply or detach killed halfway.
  for (uint32_t other = 0; other < SN_BANKS; ++other) {
    if (other == bank || other == live_bank) continue;
    try {
      auto slots = d.bank(other);
      if (std::any_of(slots.begin(), slots.end(), [](const auto& s) { return s.second != 0; })) d.clear_bank(other);
    } catch (const std::exception& e) {
      warn("could not empty bank " + std::to_string(other), e);
    }
  }
  for (const auto& old : existing) {
    if (keep.count(old.number)) continue;
    try {
      gens.remove(old.number);
      r.removed.push_back(old.number);
    } catch (const std::exception& e) {
      warn("could not remove generation " + std::to_string(old.number), e);
    }
  }
  // An interface renamed since its links were made, and applied under its
  // new name, is known by that name from now on (status compares the two).
  for (const auto& rec : ifaces) {
    try {
      record_name(k_, l_, rec.ifindex, iface_name(rec));
    } catch (const std::exception& e) {
      warn("could not record the name of " + iface_name(rec), e);
    }
  }
  // Links the kept generations need stay; the others go.
  try {
    std::map<uint32_t, uint32_t> needed;
    for (const auto& rec : ifaces) needed[rec.ifindex] |= hooks;
    if (has_live) {
      auto lg = gens.get(sel->generation);
      for (const auto& rec : gens.ifaces(sel->generation)) needed[rec.ifindex] |= lg ? lg->meta.hooks : 0;
    }
    for (const auto& il : list_links(k_, l_)) {
      uint32_t unused = kAllHooks & ~needed[il.ifindex];
      if (il.gone()) unused = kAllHooks;
      if (unused) remove_links(k_, l_, il.ifindex, unused);
    }
  } catch (const std::exception& e) {
    warn("could not remove unused links", e);
  }
  // Counters of rules no kept generation has are reclaimed.
  try {
    if (bpf::Fd cnt = k_.get_pinned(l_.state(SN_MAP_COUNTERS))) {
      std::set<uint64_t> used(b.plan.counter_keys.begin(), b.plan.counter_keys.end());
      if (has_live)
        for (uint64_t key : gens.counter_keys(sel->generation)) used.insert(key);
      for (const auto& key : k_.keys(cnt, SN_MAP_COUNTERS)) {
        uint64_t v = 0;
        std::memcpy(&v, key.data(), std::min<size_t>(8, key.size()));
        if (!used.count(v) && k_.erase(cnt, SN_MAP_COUNTERS, key.data())) ++r.counters_reclaimed;
      }
    }
  } catch (const std::exception& e) {
    warn("could not reclaim counters", e);
  }
  return r;
}

RollbackResult Enforcer::rollback() {
  auto lock = lock_root(k_, l_.root);
  Dispatcher d(k_, l_);
  Generations gens(k_, l_);
  auto sel = d.selector();
  if (!sel || sel->bank == SN_BANK_NONE) throw Error("rollback", "nothing is applied in this network namespace");
  if (sel->prev_bank == SN_BANK_NONE || !sel->prev_generation)
    throw Error("rollback", "no previous generation to return to");
  uint64_t prev = sel->prev_generation;
  auto pg = gens.get(prev);
  if (!pg || !pg->complete || pg->meta.bank != sel->prev_bank)
    throw Error("rollback", "generation " + std::to_string(prev) + " is no longer intact under " + l_.gen(prev));
  // Its bank must still hold exactly its programs.
  auto slots = d.bank(sel->prev_bank);
  for (backend::Hook h : {backend::Hook::Xdp, backend::Hook::TcxIngress, backend::Hook::TcxEgress}) {
    bool uses = pg->meta.hooks & hook_bit(h);
    if (uses != (slots[h] != 0))
      throw Error("rollback", "bank " + std::to_string(sel->prev_bank) + " no longer holds generation " +
                                  std::to_string(prev) + " at " + link_name(h));
  }
  Undo undo;
  try {
    for (const auto& rec : gens.ifaces(prev)) {
      std::string name = iface_name(rec);
      if (!same_device(k_, l_, rec.ifindex, name))
        throw Error("rollback", "interface " + name + " of generation " + std::to_string(prev) + " is gone");
      ensure_links(k_, l_, d, rec.ifindex, name, pg->meta.hooks, undo);
    }
    sn_selector s = *sel;
    std::swap(s.bank, s.prev_bank);
    std::swap(s.generation, s.prev_generation);
    s.switched_unix = static_cast<uint64_t>(std::time(nullptr));
    d.write_selector(s);
  } catch (const bpf::BpfError& e) {
    undo_all(k_, undo);
    throw Error("rollback", e.what());
  } catch (...) {
    undo_all(k_, undo);
    throw;
  }
  return {sel->generation, prev};
}

DetachResult Enforcer::detach() {
  DetachResult r;
  auto lock = lock_root(k_, l_.root);
  if (k_.list_dir(l_.ns()).empty()) {
    // An apply killed just after making the namespace's directory, or a
    // detach killed just before removing it, leaves it empty.
    try {
      k_.remove_dir(l_.ns());
    } catch (const bpf::BpfError& e) {
      throw Error("detach", e.what());
    }
    return r;
  }
  r.was_applied = true;
  Dispatcher d(k_, l_);
  Generations gens(k_, l_);
  try {
    // Everything passes from the first step on; the rest is removal.
    if (auto sel = d.selector(); sel && sel->bank != SN_BANK_NONE) {
      sn_selector s{};
      s.bank = s.prev_bank = SN_BANK_NONE;
      d.write_selector(s);
    }
    for (const auto& il : list_links(k_, l_)) {
      r.interfaces.push_back(il.current_name.empty() ? il.attached_name : il.current_name);
      remove_links(k_, l_, il.ifindex, kAllHooks);
    }
    k_.remove_dir(l_.links());
    for (const auto& g : gens.list()) {
      gens.remove(g.number);
      ++r.generations;
    }
    k_.remove_dir(l_.gens());
    for (const auto& name : k_.list_dir(l_.state())) k_.unpin(l_.state(name));
    k_.remove_dir(l_.state());
    for (const auto& name : k_.list_dir(l_.dispatch())) k_.unpin(l_.dispatch(name));
    k_.remove_dir(l_.dispatch());
    k_.unpin(l_.ns_meta());
    k_.remove_dir(l_.ns());
  } catch (const bpf::BpfError& e) {
    throw Error("detach", e.what());
  }
  return r;
}

std::optional<Enforcer::Live> Enforcer::live() {
  Dispatcher d(k_, l_);
  auto sel = d.selector();
  if (!sel || sel->bank == SN_BANK_NONE) return std::nullopt;
  Generations gens(k_, l_);
  return Live{sel->generation, gens.text(sel->generation, "pir")};
}

}  // namespace sentinel::enforcer::core
