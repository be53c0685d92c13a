// The programs' classification (sentinel/abi/classify.h), in C++: the tuple
// walk over a classifier plan. Unit tests check it against the reference
// evaluator, so a lowering bug shows up without a kernel; the kernel tests
// then check the BPF walk itself.
#pragma once
#include <cstring>
#include <map>
#include <string>

#include "compiler/dplan/classifier.h"
#include "compiler/eval/packet.h"

namespace sentinel::testing {

struct PlanIndex {
  std::map<std::string, uint32_t> keys;
  explicit PlanIndex(const dplan::ClassifierPlan& p) {
    for (const auto& [k, m] : p.entries)
      keys.emplace(std::string(reinterpret_cast<const char*>(&k), sizeof k), m.rule);
  }
};

// Returns the index of the first matching rule, or `nrules` when none
// matches. `ct` is the packet's connection state (sn_ct_pkt_state).
inline uint32_t plan_classify(const dplan::ClassifierPlan& plan, uint32_t nrules, const PlanIndex& idx,
                              const eval::Packet& pkt, uint8_t ct = 0) {
  uint32_t best = nrules;
  const bool ports = pkt.has_ports();
  for (uint32_t t = 0; t < plan.tuples.size(); ++t) {
    const sn_cls_tuple& tu = plan.tuples[t];
    if (tu.min_rule >= best) break;
    if (tu.family != static_cast<uint8_t>(pkt.family)) continue;
    if (tu.needs_ports && !ports) continue;
    sn_cls_key k;
    std::memset(&k, 0, sizeof k);
    k.tuple = t;
    k.family = tu.family;
    k.proto = pkt.proto & tu.proto_mask;
    k.sport = (ports ? pkt.sport : 0) & tu.sport_mask;
    k.dport = (ports ? pkt.dport : 0) & tu.dport_mask;
    k.ct = ct & tu.ct_mask;
    uint32_t s[4], d[4];
    std::memcpy(s, pkt.src.bytes.data(), 16);
    std::memcpy(d, pkt.dst.bytes.data(), 16);
    for (int i = 0; i < 4; ++i) {
      k.src[i] = s[i] & tu.src_mask[i];
      k.dst[i] = d[i] & tu.dst_mask[i];
    }
    auto it = idx.keys.find(std::string(reinterpret_cast<const char*>(&k), sizeof k));
    if (it != idx.keys.end() && it->second < best) best = it->second;
  }
  return best;
}

}  // namespace sentinel::testing
