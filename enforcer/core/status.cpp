// Enforcer::status(): what runs in the namespace, read from the kernel and
// bpffs alone (no lock, nothing cached), with every inconsistency it can see
// listed under "problems" rather than hidden.
#include <cstring>

#include "compiler/dplan/classifier.h"
#include "enforcer/core/domain_view.h"
#include "enforcer/core/enforcer.h"
#include "enforcer/core/links.h"

extern "C" {
#include "sentinel/abi/common.h"
}

namespace sentinel::enforcer::core {

namespace {

using nlohmann::json;

std::optional<pir::Policy> policy_of(Generations& gens, uint64_t n) {
  std::string text = gens.text(n, "pir");
  if (text.empty()) return std::nullopt;
  std::string err;
  return pir::parse(text, &err);
}

}  // namespace

json Enforcer::status() {
  json s = {{"netns_cookie", l_.netns}, {"bpffs", l_.root}, {"applied", false}};
  json problems = json::array();
  Dispatcher d(k_, l_);
  Generations gens(k_, l_);
  auto sel = d.selector();
  auto links = list_links(k_, l_);
  auto all = gens.list();

  bool applied = sel && sel->bank != SN_BANK_NONE;
  s["applied"] = applied;
  std::set<uint32_t> live_ifaces;
  if (applied) {
    uint64_t live = sel->generation;
    s["generation"] = live;
    s["bank"] = sel->bank;
    s["previous"] = sel->prev_bank != SN_BANK_NONE ? json(sel->prev_generation) : json();
    s["switched_unix"] = sel->switched_unix;
    auto lg = gens.get(live);
    if (!lg || !lg->complete) {
      problems.push_back("the selector names generation " + std::to_string(live) + ", which is not intact under " +
                         l_.gen(live));
    } else {
      s["applied_unix"] = lg->meta.applied_unix;
      s["bundle_sha256"] = hex(lg->meta.bundle_sha256, sizeof lg->meta.bundle_sha256);
      for (const auto& r : gens.ifaces(live)) live_ifaces.insert(r.ifindex);
      auto slots = d.bank(sel->bank);
      for (const auto& [hook, id] : slots) {
        bool uses = lg->meta.hooks & hook_bit(hook);
        if (uses && !id) problems.push_back(std::string("the live bank has no program at ") + link_name(hook));
      }
    }
  } else if (!all.empty() || !links.empty()) {
    problems.push_back("nothing runs, but an interrupted operation left " + std::to_string(all.size()) +
                       " generation(s) and links on " + std::to_string(links.size()) +
                       " interface(s): the next apply or detach removes them");
  }

  json gl = json::array();
  for (const auto& g : all) {
    json j = {{"number", g.number}, {"complete", g.complete}};
    if (g.complete) {
      j["bank"] = g.meta.bank;
      j["applied_unix"] = g.meta.applied_unix;
      j["bundle_sha256"] = hex(g.meta.bundle_sha256, sizeof g.meta.bundle_sha256);
    }
    j["live"] = applied && g.number == sel->generation;
    j["previous"] = applied && sel->prev_bank != SN_BANK_NONE && g.number == sel->prev_generation;
    gl.push_back(j);
  }
  s["generations"] = gl;

  json il = json::array();
  for (const auto& i : links) {
    json hooks = json::object();
    for (const auto& [h, info] : i.links) {
      json hj = {{"prog_id", info.prog_id}};
      if (h == backend::Hook::Xdp) hj["mode"] = bpf::to_string(i.xdp_mode);
      hooks[link_name(h)] = hj;
    }
    std::string state = i.gone() ? "gone" : i.current_name != i.attached_name ? "renamed" : "attached";
    // The links of a device that went away belong to it, not to whatever
    // device has its index now.
    std::string name = (i.gone() && !i.attached_name.empty()) || i.current_name.empty() ? i.attached_name
                                                                                         : i.current_name;
    json j = {{"ifindex", i.ifindex}, {"name", name},
              {"attached_name", i.attached_name}, {"state", state}, {"hooks", hooks},
              {"live", live_ifaces.count(i.ifindex) > 0}};
    if (i.gone())
      problems.push_back("interface " + i.attached_name + " (index " + std::to_string(i.ifindex) +
                         ") went away: its links do nothing; the next apply removes them");
    il.push_back(j);
  }
  s["interfaces"] = il;

  auto st = d.stats();
  s["dispatch"] = {{"xdp", st[SN_DISP_XDP]}, {"tc_ingress_stamped", st[SN_DISP_TC_STAMPED]},
                   {"tc_ingress_crossed", st[SN_DISP_TC_CROSSED]}, {"tc_ingress_unstamped", st[SN_DISP_TC_UNSTAMPED]},
                   {"tc_egress", st[SN_DISP_TC_EGRESS]}};

  if (applied) {
    auto live_policy = policy_of(gens, sel->generation);
    std::optional<pir::Policy> prev_policy;
    if (sel->prev_bank != SN_BANK_NONE) prev_policy = policy_of(gens, sel->prev_generation);
    if (!live_policy) {
      problems.push_back("the live generation's policy text is missing or does not parse");
    } else {
      bpf::Fd cnt = k_.get_pinned(l_.state(SN_MAP_COUNTERS));
      unsigned cpus = k_.possible_cpus();
      std::vector<sn_counter> raw(cpus);
      ViewContext ctx{k_, l_, *live_policy, prev_policy ? &*prev_policy : nullptr,
                      [&](uint64_t key) {
                        Counter c;
                        std::fill(raw.begin(), raw.end(), sn_counter{});
                        if (cnt && k_.lookup(cnt, SN_MAP_COUNTERS, &key, raw.data(), raw.size()))
                          for (const auto& v : raw) c.packets += v.packets, c.bytes += v.bytes;
                        return c;
                      },
                      [&](const std::string& name) { return k_.get_pinned(l_.state(name)); }};
      json domains = json::object();
      json rings = json::array();
      for (const auto& b : live_policy->blocks) {
        const DomainView& v = view_of(b->domain());
        domains[std::string(domain_name(b->domain()))] = v.status(ctx);
        for (const auto& r : v.rings) {
          bpf::Fd m = k_.get_pinned(l_.state(r.stats));
          uint64_t emitted = 0, skipped = 0;
          std::vector<sn_ring_stats> rs(cpus);
          uint32_t zero = 0;
          if (m && k_.lookup(m, r.stats, &zero, rs.data(), rs.size()))
            for (const auto& x : rs) emitted += x.emitted, skipped += x.skipped;
          rings.push_back({{"ring", r.ring}, {"emitted", emitted}, {"skipped", skipped}});
        }
      }
      s["domains"] = domains;
      s["rings"] = rings;
    }
  }
  s["problems"] = problems;
  return s;
}

}  // namespace sentinel::enforcer::core
