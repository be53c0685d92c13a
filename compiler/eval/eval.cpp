#include "compiler/eval/eval.h"

#include <algorithm>

namespace sentinel::eval {

namespace {

const DomainEval* const kDomains[] = {
#define SN_DOMAIN(name) &name##_eval,
#include "compiler/domains/domains.def"
#undef SN_DOMAIN
};

}  // namespace

const DomainResult* Verdict::of(DomainId d) const {
  for (const auto& r : results)
    if (r.domain == d) return &r;
  return nullptr;
}

Evaluator::Evaluator(const pir::Policy& policy) : policy_(policy) {
  for (const auto& b : policy.blocks) {
    size_t i = domain_index(b->domain());
    if (kDomains[i]->make_state) states_[i] = kDomains[i]->make_state();
  }
}

void Evaluator::run(Hook hook, const Packet& pkt, uint64_t now_ns, bool trace, Verdict& v) {
  struct Due {
    int order;
    size_t domain;
    StageFn fn;
  };
  std::vector<Due> due;
  for (const auto& b : policy_.blocks) {
    size_t i = domain_index(b->domain());
    for (const auto& s : kDomains[i]->stages)
      if (s.hook == hook) due.push_back({s.order, i, s.fn});
  }
  std::stable_sort(due.begin(), due.end(), [](const Due& a, const Due& b) { return a.order < b.order; });
  for (const auto& d : due) {
    if (v.dropped) return;
    StageCtx ctx{policy_, *policy_.block(static_cast<DomainId>(d.domain)), pkt, now_ns,
                 states_[d.domain].get(), v, trace};
    d.fn(ctx);
  }
}

Verdict Evaluator::ingress(const Packet& pkt, uint64_t now_ns, bool trace) {
  Verdict v;
  run(Hook::Xdp, pkt, now_ns, trace, v);
  if (!v.dropped) run(Hook::TcIngress, pkt, now_ns, trace, v);
  return v;
}

Verdict Evaluator::egress(const Packet& pkt, uint64_t now_ns, bool trace) {
  Verdict v;
  run(Hook::TcEgress, pkt, now_ns, trace, v);
  return v;
}

}  // namespace sentinel::eval
