// Events of the live generation's rings, decoded by each domain, and the
// table of domain views.
#include <chrono>
#include <set>
#include <cstring>

#include "enforcer/core/domain_view.h"
#include "enforcer/core/enforcer.h"
#include "enforcer/core/error.h"

extern "C" {
#include "sentinel/abi/common.h"
}

namespace sentinel::enforcer::core {

namespace {

const DomainView* const kViews[] = {
#define SN_DOMAIN(name) &name##_view,
#include "compiler/domains/domains.def"
#undef SN_DOMAIN
};

std::string addr_text(uint8_t family, const uint32_t words[4]) {
  pir::Addr a;
  a.family = family == 6 ? pir::Family::V6 : pir::Family::V4;
  std::memcpy(a.bytes.data(), words, 16);
  return pir::format(a);
}

}  // namespace

const DomainView& view_of(DomainId d) { return *kViews[domain_index(d)]; }

nlohmann::json summary_json(const void* p) {
  sn_pkt_summary s;
  std::memcpy(&s, p, sizeof s);
  static const char* ct[] = {"untracked", "new", "established", "related", "invalid"};
  std::string flags;
  for (auto [bit, c] : {std::pair{0x02, 'S'}, {0x01, 'F'}, {0x04, 'R'}, {0x08, 'P'}, {0x20, 'U'}, {0x10, '.'}})
    if (s.tcp_flags & bit) flags += c;
  nlohmann::json j = {{"family", s.family == 6 ? "ipv6" : "ipv4"}, {"proto", s.proto},
                      {"src", addr_text(s.family, s.src)},      {"dst", addr_text(s.family, s.dst)},
                      {"sport", s.sport},                        {"dport", s.dport},
                      {"len", s.len},                            {"ifindex", s.ifindex}};
  if (s.proto == 6) j["tcp_flags"] = flags;
  if (s.ct) j["ct"] = s.ct < 5 ? ct[s.ct] : "?";
  return j;
}

void Enforcer::read_events(const std::function<void(const nlohmann::json&)>& on_event, int timeout_ms,
                           const std::function<bool()>& stop) {
  auto l = live();
  if (!l) throw Error("alerts", "nothing is applied in this network namespace");
  std::string err;
  auto policy = pir::parse(l->policy_text, &err);
  if (!policy) throw Error("alerts", "the live generation's policy does not parse: " + err);
  std::vector<bpf::RingSpec> rings;
  std::set<std::string> seen;  // blocks of one domain share its rings
  for (const auto& b : policy->blocks) {
    const DomainView& v = view_of(b->domain());
    std::string domain(domain_name(b->domain()));
    for (const auto& r : v.rings) {
      if (!seen.insert(r.ring).second) continue;
      bpf::Fd m = k_.get_pinned(l_.state(r.ring));
      if (!m) continue;
      auto decode = v.event;
      const pir::Policy* pol = &*policy;
      rings.push_back({m, r.ring, [=, this, &on_event](std::span<const uint8_t> rec) {
                         nlohmann::json j = decode(rec, *pol);
                         if (j.is_null()) return;
                         j["domain"] = domain;
                         if (auto* idx = j.contains("packet") ? &j["packet"] : nullptr;
                             idx && idx->contains("ifindex")) {
                           std::string name = k_.ifname_of((*idx)["ifindex"].get<uint32_t>());
                           if (!name.empty()) (*idx)["interface"] = name;
                         }
                         on_event(j);
                       }});
    }
  }
  if (rings.empty()) return;
  auto reader = k_.ring_reader(std::move(rings));
  using clock = std::chrono::steady_clock;
  auto end = clock::now() + std::chrono::milliseconds(timeout_ms);
  do {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - clock::now()).count();
    reader->poll(static_cast<int>(std::clamp<long long>(left, 0, 200)));
  } while (clock::now() < end && !(stop && stop()));
}

}  // namespace sentinel::enforcer::core
