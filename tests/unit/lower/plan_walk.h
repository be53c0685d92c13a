// The programs' classification (sentinel/abi/classify.h), in C++: the tree
// walk over a classifier plan, step for step as sentinel/bpf/cls_walk.h
// takes it. Unit tests check it against the reference evaluator, so a
// lowering bug shows up without a kernel; the kernel tests then check the
// BPF walk itself.
#pragma once
#include <cstring>

#include "compiler/dplan/classifier.h"
#include "compiler/eval/packet.h"

namespace sentinel::testing {

struct WalkResult {
  uint32_t rule;
  uint32_t steps;  // as the BPF walk counts them: nodes visited and records checked
};

namespace detail {

inline uint32_t word_be(const uint8_t* b) {
  return (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | b[3];
}

inline bool in_prefix(const uint32_t* v, const uint32_t* a, unsigned len, int words) {
  for (int i = 0; i < words && len; ++i) {
    unsigned take = len > 32 ? 32 : len;
    uint32_t mask = take == 32 ? ~0u : ~(~0u >> take);
    if ((v[i] ^ a[i]) & mask) return false;
    len -= take;
  }
  return true;
}

}  // namespace detail

// The first matching rule, or `nrules` when none matches. `ct` is the
// packet's connection state (sn_ct_pkt_state). Records with extra fields
// (cls_extra.h) never match here.
inline WalkResult plan_walk(const dplan::ClassifierPlan& plan, uint32_t nrules, const eval::Packet& pkt,
                            uint8_t ct = 0) {
  const bool ports = pkt.has_ports();
  const bool v6 = pkt.family == pir::Family::V6;
  const int words = v6 ? 4 : 1;
  uint32_t v[SN_CLS_WORDS] = {};
  for (int i = 0; i < words; ++i) {
    v[SN_CLS_W_SRC + i] = detail::word_be(pkt.src.bytes.data() + 4 * i);
    v[SN_CLS_W_DST + i] = detail::word_be(pkt.dst.bytes.data() + 4 * i);
  }
  const uint16_t sport = ports ? pkt.sport : 0, dport = ports ? pkt.dport : 0;
  v[SN_CLS_W_SPORT] = sport;
  v[SN_CLS_W_DPORT] = dport;
  v[SN_CLS_W_PROTO] = pkt.proto;

  auto match = [&](const sn_cls_rec& r) {
    if ((pkt.proto & r.proto_mask) != r.proto) return false;
    if ((r.flags & SN_CLS_NEEDS_PORTS) && !ports) return false;
    if (sport < r.sport_lo || sport > r.sport_hi || dport < r.dport_lo || dport > r.dport_hi) return false;
    if (r.ct_states && !((r.ct_states >> (ct & 7)) & 1)) return false;
    if (detail::in_prefix(&v[SN_CLS_W_SRC], r.src, r.src_len, words) == bool(r.flags & SN_CLS_NEG_SRC)) return false;
    if (detail::in_prefix(&v[SN_CLS_W_DST], r.dst, r.dst_len, words) == bool(r.flags & SN_CLS_NEG_DST)) return false;
    return r.x.has == 0;
  };

  WalkResult out{nrules, 0};
  const uint32_t first = v6 ? SN_CLS_MAX_TREES : 0;
  for (uint32_t t = first; t < first + SN_CLS_MAX_TREES; ++t) {
    uint32_t at = t;
    for (;;) {
      ++out.steps;
      const sn_cls_node& n = plan.nodes.at(at);
      if (n.min_rule >= out.rule) break;
      if (n.word == SN_CLS_LEAF) {
        for (uint32_t k = 0; k < n.count; ++k) {
          ++out.steps;
          const sn_cls_rec& r = plan.recs.at(plan.leaves.at(n.base + k));
          if (r.rule >= out.rule) break;
          if (match(r)) {
            out.rule = r.rule;
            break;
          }
        }
        break;
      }
      at = n.base + ((v[n.word] >> n.shift) & ((1u << n.bits) - 1));
    }
    if (plan.nodes.at(t).min_rule >= out.rule) break;
  }
  return out;
}

// The rule alone, as the old interface gave it.
inline uint32_t plan_classify(const dplan::ClassifierPlan& plan, uint32_t nrules, const eval::Packet& pkt,
                              uint8_t ct = 0) {
  return plan_walk(plan, nrules, pkt, ct).rule;
}

}  // namespace sentinel::testing
