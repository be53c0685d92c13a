// The reference evaluator: the executable spec of every domain, in plain
// code, no maps, no cleverness. A packet meets the policy's domains at the
// hooks the datapath has: on the way in, XDP (conntrack's lookup, the
// firewall, the rate limiter) and then TC ingress (conntrack's tracking); on
// the way out, TC egress. Each domain supplies its stages in
// eval/domains/<domain>.cpp, with its own state (flows, buckets). Time is an
// explicit input, so stateful behaviour is deterministic in tests.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "compiler/domains/domain_id.h"
#include "compiler/eval/packet.h"
#include "compiler/pir/domains/conntrack.h"
#include "compiler/pir/pir.h"

namespace sentinel::eval {

enum class Hook : uint8_t { Xdp, TcIngress, TcEgress };

// Why a rule did not match a packet: the first field that failed.
struct Miss {
  size_t rule;
  std::string id;
  std::string reason;
};

// What one domain did with a packet.
struct DomainResult {
  DomainId domain{};
  int rule = -1;           // the deciding rule's index; -1: the default, or none
  std::string rule_id;     // "default", a pseudo-rule ("established"), or "" when nothing applied
  std::string action;      // "allow", "deny", "log", "drop", "track", ...
  bool dropped = false;
  std::string note;        // what explain adds: "ct established", "2 of 5 in this window"
  pir::Loc where;          // the deciding rule's location, when a rule decided
  std::vector<Miss> misses;  // when tracing: every earlier rule and why it did not match
  // The domain's counters this packet moves, by the ids the kernel counts
  // under (dplan::counter_key(domain, id)): what the compiled programs must
  // agree with, packet by packet.
  std::vector<std::string> counted;
};

struct Verdict {
  bool dropped = false;
  // The answer sent back for a dropped packet (the firewall's `reject`):
  // "tcp-rst", "icmp-unreachable" or "icmpv6-unreachable"; empty for none.
  std::string answer;
  pir::CtState ct = pir::CtState::Untracked;  // the packet's state, as the firewall saw it
  std::vector<DomainResult> results;          // in the order the packet met the domains
  const DomainResult* of(DomainId d) const;
};

// A domain's state across packets.
struct DomainState {
  virtual ~DomainState() = default;
};

struct StageCtx {
  const pir::Policy& policy;
  const pir::Block& block;
  const Packet& pkt;
  uint64_t now_ns;
  DomainState* state;  // the domain's own, or nullptr when it keeps none
  Verdict& verdict;
  bool trace;
};

using StageFn = void (*)(StageCtx&);
struct Stage {
  Hook hook;
  int order;  // ascending within a hook
  StageFn fn;
};

// What each domain supplies, in eval/domains/<domain>.cpp.
struct DomainEval {
  std::vector<Stage> stages;
  std::unique_ptr<DomainState> (*make_state)() = nullptr;
};

#define SN_DOMAIN(name) extern const DomainEval name##_eval;
#include "compiler/domains/domains.def"
#undef SN_DOMAIN

class Evaluator {
 public:
  explicit Evaluator(const pir::Policy& policy);
  // A packet arriving: the XDP stages, then, unless dropped, TC ingress.
  Verdict ingress(const Packet& pkt, uint64_t now_ns, bool trace = false);
  // A packet the host sends: the TC egress stages.
  Verdict egress(const Packet& pkt, uint64_t now_ns, bool trace = false);
  const pir::Policy& policy() const { return policy_; }
  DomainState* state(DomainId d) { return states_[domain_index(d)].get(); }

 private:
  void run(Hook hook, const Packet& pkt, uint64_t now_ns, bool trace, Verdict& v);
  const pir::Policy& policy_;
  std::array<std::unique_ptr<DomainState>, kDomainCount> states_;
};

}  // namespace sentinel::eval
