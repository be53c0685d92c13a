#include "enforcer/core/enforcer.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <set>

#include "compiler/pir/domains/firewall.h"
#include "enforcer/core/error.h"
#include "enforcer/core/loader.h"

namespace sentinel::enforcer::core {
namespace {

void unhex(const std::string& h, uint8_t* out, size_t n) {
  auto v = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (size_t i = 0; i < n && 2 * i + 1 < h.size(); ++i)
    out[i] = static_cast<uint8_t>(v(h[2 * i]) << 4 | v(h[2 * i + 1]));
}

// Sums a per-CPU (or plain) counter value.
template <typename T>
T sum_cpus(const std::vector<uint8_t>& raw) {
  T total{};
  for (size_t off = 0; off + sizeof(T) <= raw.size(); off += sizeof(T)) {
    T v;
    std::memcpy(&v, raw.data() + off, sizeof v);
    total.packets += v.packets;
    total.bytes += v.bytes;
  }
  return total;
}

const char* action_name(uint32_t a) {
  switch (a) {
    case SN_FW_ALLOW: return "allow";
    case SN_FW_DENY: return "deny";
    case SN_FW_LOG: return "log";
  }
  return "?";
}

}  // namespace

Enforcer::Enforcer(bpf::Kernel& k, Target t)
    : k_(k), t_(std::move(t)), gens_(k, Layout{t_.bpffs_root, t_.ifname}) {}

void Enforcer::make_dir_path(const std::string& path) {
  for (size_t pos = 1; pos != std::string::npos;) {
    pos = path.find('/', pos + 1);
    k_.make_dir(path.substr(0, pos));
  }
}

ApplyResult Enforcer::apply(const Bundle& b, const ApplyOptions& o) {
  const Layout& L = gens_.layout();
  ApplyResult r;

  bpf::Features f = k_.features(t_.bpffs_root);
  if (!f.bpffs) throw Error("kernel features", t_.bpffs_root + " is not on a bpffs mount");
  if (!f.xdp) throw Error("kernel features", "the kernel cannot load XDP programs");
  if (!f.ringbuf) throw Error("kernel features", "the kernel has no BPF ring buffer");

  // One apply, rollback or detach at a time per interface.
  std::shared_ptr<void> lock;
  try {
    make_dir_path(L.iface());
    lock = k_.lock_dir(L.iface());
  } catch (const bpf::BpfError& e) {
    throw Error("lock", e.what());
  }

  uint32_t link_prog = 0;
  bpf::Fd link;
  std::optional<GenerationInfo> live;
  StateMeta sm;
  uint64_t n = 0;
  std::map<std::string, bpf::Fd> reuse;
  try {
    link = gens_.link();
    if (link) live = gens_.live(&link_prog);
    sm = gens_.state_meta();
    n = sm.last_generation;
    for (const auto& g : gens_.list()) n = std::max(n, g.number);
    ++n;
    reuse = gens_.state_maps();
  } catch (const bpf::BpfError& e) {
    throw Error("read live state", e.what());
  }
  r.generation = n;
  bool new_state = reuse.empty();
  if (!new_state && reuse.size() != std::size(kStateMaps))
    throw Error("state", "incomplete shared state under " + L.state() + "; run detach first");

  LoadOptions lo;
  lo.what = "generation " + std::to_string(n);
  lo.generation = n;
  lo.reuse = reuse;
  lo.max_entries_override = o.max_entries_override;
  // Until pinned, the new generation lives only in these descriptors: any
  // throw before the pin step releases it entirely.
  LoadedGeneration g = load_firewall(k_, b.firewall, lo);
  smoke_test(k_, g);
  r.prog_id = g.prog_id;

  // Undo exactly what this apply pinned, nothing that was there before.
  std::vector<std::string> pinned;
  bool made_gen_dir = false;
  auto pin = [&](const bpf::Fd& obj, const std::string& path) {
    k_.pin(obj, path);
    pinned.push_back(path);
  };
  auto cleanup = [&] {
    for (auto it = pinned.rbegin(); it != pinned.rend(); ++it) {
      try {
        k_.unpin(*it);
      } catch (...) {
      }
    }
    try {
      if (made_gen_dir) k_.remove_dir(L.gen(n));
      if (new_state) k_.remove_dir(L.state());
    } catch (...) {
    }
  };

  try {
    GenMeta meta;
    meta.generation = n;
    meta.applied_unix = static_cast<uint64_t>(std::time(nullptr));
    unhex(b.sha256, meta.bundle_sha256, sizeof meta.bundle_sha256);
    bpf::Fd meta_fd = k_.create_array("sn_gen_meta", sizeof meta, 1);
    uint32_t zero = 0;
    k_.update_batch(meta_fd, kMetaPin, &zero, &meta, 1);

    make_dir_path(L.gens());
    auto present = k_.list_dir(L.gens());
    if (std::find(present.begin(), present.end(), std::to_string(n)) != present.end())
      throw Error("pin", L.gen(n) + " exists already");
    k_.make_dir(L.gen(n));
    made_gen_dir = true;
    pin(g.prog, L.gen(n, kProgPin));
    for (const char* name : kGenMaps) pin(g.maps.at(name), L.gen(n, name));
    pin(g.maps.at(kConfigMap), L.gen(n, kConfigPin));
    pin(meta_fd, L.gen(n, kMetaPin));
    if (new_state) {
      k_.make_dir(L.state());
      for (const char* name : kStateMaps) pin(g.maps.at(name), L.state(name));
    }
    sm.last_generation = n;
    if (new_state) pinned.push_back(L.state(kMetaPin));
    gens_.write_state_meta(sm);
  } catch (const bpf::BpfError& e) {
    cleanup();
    throw Error("pin", e.what());
  } catch (const Error&) {
    cleanup();
    throw;
  }

  try {
    if (link) {
      // Compare-and-swap: succeeds only if the link still runs what we
      // read above, so a concurrent apply cannot be silently overwritten.
      bpf::Fd old = k_.prog_by_id(link_prog);
      k_.link_update(link, g.prog, old);
      r.mode = k_.xdp_mode(t_.ifindex);
    } else {
      bpf::Fd nl = k_.create_xdp_link(g.prog, t_.ifindex, &r.mode);
      k_.pin(nl, L.link());
      r.created_link = true;
    }
  } catch (const bpf::BpfError& e) {
    cleanup();
    throw Error("switch", e.what());
  }

  // The switch is done; from here on problems are only warnings.
  if (live) r.previous = live->number;
  for (const auto& old : gens_.list()) {
    if (old.number == n || (live && old.number == live->number)) continue;
    try {
      gens_.remove(old.number);
      r.removed.push_back(old.number);
    } catch (const bpf::BpfError& e) {
      r.warnings.push_back("could not remove generation " + std::to_string(old.number) + ": " +
                           e.what());
    }
  }
  return r;
}

RollbackResult Enforcer::rollback() {
  const Layout& L = gens_.layout();
  bpf::Fd link = gens_.link();
  if (!link) throw Error("rollback", "nothing is applied on " + t_.ifname);
  auto lock = k_.lock_dir(L.iface());
  uint32_t link_prog = 0;
  auto live = gens_.live(&link_prog);
  if (!live)
    throw Error("rollback", "the link runs program id " + std::to_string(link_prog) +
                                ", which is no generation under " + L.gens());
  auto prev = gens_.previous(live->number);
  if (!prev) throw Error("rollback", "no previous generation to return to");
  try {
    bpf::Fd target = k_.get_pinned(L.gen(prev->number, kProgPin));
    k_.link_update(link, target, k_.prog_by_id(link_prog));
  } catch (const bpf::BpfError& e) {
    throw Error("rollback", e.what());
  }
  // The abandoned generation goes: a second rollback has nothing to return to.
  try {
    gens_.remove(live->number);
  } catch (const bpf::BpfError&) {
  }
  return {live->number, prev->number, prev->prog_id};
}

void Enforcer::detach() {
  const Layout& L = gens_.layout();
  try {
    std::shared_ptr<void> lock;
    try {
      lock = k_.lock_dir(L.iface());
    } catch (const bpf::BpfError& e) {
      if (e.err() == ENOENT) return;  // nothing was ever applied here
      throw;
    }
    k_.unpin(L.link());
    for (const auto& g : k_.list_dir(L.gens())) {
      std::string dir = L.gens() + "/" + g;
      for (const auto& name : k_.list_dir(dir)) k_.unpin(dir + "/" + name);
      k_.remove_dir(dir);
    }
    k_.remove_dir(L.gens());
    for (const auto& name : k_.list_dir(L.state())) k_.unpin(L.state(name));
    k_.remove_dir(L.state());
    k_.remove_dir(L.iface());
  } catch (const bpf::BpfError& e) {
    throw Error("detach", e.what());
  }
}

std::vector<Enforcer::RuleRef> Enforcer::gen_rules(uint64_t n, sn_fw_config* cfg_out) {
  const Layout& L = gens_.layout();
  uint32_t zero = 0;
  sn_fw_config cfg{};
  if (bpf::Fd c = k_.get_pinned(L.gen(n, kConfigPin))) k_.lookup(c, kConfigPin, &zero, &cfg);
  if (cfg_out) *cfg_out = cfg;
  std::vector<std::string> ids;
  if (bpf::Fd m = k_.get_pinned(L.gen(n, SN_FW_MAP_PIR))) {
    std::string err;
    if (auto p = pir::parse(read_pir(k_, m), &err))
      if (const auto* fw = p->get<pir::Firewall>())
        for (const auto& rule : fw->rules) ids.push_back(rule.id);
  }
  std::vector<RuleRef> out;
  bpf::Fd rules = k_.get_pinned(L.gen(n, SN_FW_MAP_RULES));
  for (uint32_t i = 0; rules && i <= cfg.nrules; ++i) {
    sn_fw_rule rule{};
    if (!k_.lookup(rules, SN_FW_MAP_RULES, &i, &rule)) break;
    std::string id = i == cfg.nrules ? "default"
                     : ids.size() == cfg.nrules ? ids[i]
                                                : "#" + std::to_string(i);
    out.push_back({id, rule.action, rule.counter_key});
  }
  return out;
}

std::optional<std::string> Enforcer::live_pir() {
  auto live = gens_.live();
  if (!live) return std::nullopt;
  bpf::Fd m = k_.get_pinned(gens_.layout().gen(live->number, SN_FW_MAP_PIR));
  if (!m) return std::nullopt;
  return read_pir(k_, m);
}

Status Enforcer::status() {
  const Layout& L = gens_.layout();
  Status s;
  bpf::Fd link = gens_.link();
  if (!link) return s;
  s.attached = true;
  auto live = gens_.live(&s.prog_id);
  try {
    s.mode = k_.xdp_mode(t_.ifindex);
  } catch (const bpf::BpfError&) {
  }
  if (!live) return s;
  s.generation = live->number;
  s.bundle_sha256 = hex(live->meta.bundle_sha256, sizeof live->meta.bundle_sha256);
  s.applied_unix = live->meta.applied_unix;
  if (auto p = gens_.previous(live->number)) s.previous = p->number;

  uint32_t zero = 0;
  sn_fw_config cfg{};
  std::vector<RuleRef> live_rules = gen_rules(s.generation, &cfg);
  s.default_action = action_name(cfg.default_action);
  s.policy_mode = cfg.mode == SN_FW_AUDIT ? "audit" : "enforce";

  bpf::Fd cnt = k_.get_pinned(L.state(SN_FW_MAP_COUNTERS));
  bool percpu = cnt && k_.map_info(cnt, SN_FW_MAP_COUNTERS).percpu();
  std::vector<uint8_t> raw(sizeof(sn_counter) * (percpu ? k_.possible_cpus() : 1));
  auto count = [&](uint64_t key, Counter& c) {
    std::fill(raw.begin(), raw.end(), 0);
    if (cnt && k_.lookup(cnt, SN_FW_MAP_COUNTERS, &key, raw.data())) {
      auto t = sum_cpus<sn_counter>(raw);
      c.packets = t.packets;
      c.bytes = t.bytes;
    }
  };
  auto counter_of = [&](const RuleRef& r) {
    Counter c;
    c.id = r.id;
    c.action = action_name(r.action);
    count(r.counter_key, c);
    return c;
  };

  std::set<std::string> live_ids;
  for (size_t i = 0; i < live_rules.size(); ++i) {
    live_ids.insert(live_rules[i].id);
    if (i + 1 == live_rules.size())
      s.default_rule = counter_of(live_rules[i]);
    else
      s.rules.push_back(counter_of(live_rules[i]));
  }
  // Rules only the previous generation has: their shared counters still
  // hold what that generation judged.
  if (s.previous) {
    std::vector<RuleRef> prev = gen_rules(*s.previous, nullptr);
    for (size_t i = 0; i + 1 < prev.size(); ++i)
      if (!live_ids.count(prev[i].id) && prev[i].id[0] != '#')
        s.retired.push_back(counter_of(prev[i]));
  }
  s.malformed.id = "malformed";
  if (cfg.malformed_counter_key) count(cfg.malformed_counter_key, s.malformed);

  if (bpf::Fd rs = k_.get_pinned(L.state(SN_FW_MAP_RINGSTAT))) {
    bool pc = k_.map_info(rs, SN_FW_MAP_RINGSTAT).percpu();
    std::vector<uint8_t> v(sizeof(sn_ring_stats) * (pc ? k_.possible_cpus() : 1));
    if (k_.lookup(rs, SN_FW_MAP_RINGSTAT, &zero, v.data())) {
      for (size_t off = 0; off < v.size(); off += sizeof(sn_ring_stats)) {
        sn_ring_stats st;
        std::memcpy(&st, v.data() + off, sizeof st);
        s.events_emitted += st.emitted;
        s.events_skipped += st.skipped;
      }
    }
  }
  return s;
}

void Enforcer::read_events(const std::function<void(const sn_fw_event&)>& on_event,
                           int timeout_ms) {
  bpf::Fd rb = k_.get_pinned(gens_.layout().state(SN_FW_MAP_EVENTS));
  if (!rb) throw Error("alerts", "nothing is applied on " + t_.ifname);
  auto reader = k_.ring_reader(rb, [&](std::span<const uint8_t> rec) {
    if (rec.size() < sizeof(sn_fw_event)) return;
    sn_fw_event e;
    std::memcpy(&e, rec.data(), sizeof e);
    on_event(e);
  });
  using clock = std::chrono::steady_clock;
  auto end = clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
  do {
    int left = timeout_ms < 0 ? 1000
                              : static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                     end - clock::now())
                                                     .count());
    reader->poll(std::max(0, std::min(left, 1000)));
  } while (timeout_ms < 0 || clock::now() < end);
}

}  // namespace sentinel::enforcer::core
