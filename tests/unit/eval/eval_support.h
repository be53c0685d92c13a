// Policies written as text, through the whole front end, run packet by
// packet through the reference evaluator with explicit times.
#pragma once
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "compiler/eval/domains/conntrack.h"
#include "compiler/eval/eval.h"
#include "tests/unit/sema/front.h"

namespace sentinel::test {

constexpr uint64_t kMs = 1000000ull, kSec = 1000 * kMs;

inline eval::Packet packet(const std::string& text) {
  std::string err;
  auto p = eval::parse_packet(text, &err);
  INFO("packet `" << text << "`: " << err);
  REQUIRE(p);
  return *p;
}

struct Run {
  std::unique_ptr<Front> fe;
  std::unique_ptr<eval::Evaluator> ev;

  explicit Run(const std::string& policy) : fe(front(policy)) {
    INFO(fe->diags.render_text());
    REQUIRE(fe->policy);
    REQUIRE(fe->diags.errors() == 0);
    ev = std::make_unique<eval::Evaluator>(*fe->policy);
  }
  // A packet arriving at `ns`, or one the host sends.
  eval::Verdict in(uint64_t ns, const std::string& pkt) { return ev->ingress(packet(pkt), ns); }
  eval::Verdict out(uint64_t ns, const std::string& pkt) { return ev->egress(packet(pkt), ns); }

  // The flow of a packet in the conntrack table, or nullptr.
  const eval::conntrack::Entry* flow(const std::string& pkt) {
    auto* t = static_cast<eval::conntrack::Table*>(ev->state(DomainId::conntrack));
    auto k = eval::conntrack::key_of(packet(pkt));
    if (!t || !k) return nullptr;
    auto it = t->flows.find(k->key);
    return it == t->flows.end() ? nullptr : &it->second;
  }
  size_t flows() {
    auto* t = static_cast<eval::conntrack::Table*>(ev->state(DomainId::conntrack));
    return t ? t->flows.size() : 0;
  }
};

// What one domain did: its action, "" when the packet never met it.
inline std::string action(const eval::Verdict& v, DomainId d) {
  const auto* r = v.of(d);
  return r ? r->action : "";
}
inline std::string rule(const eval::Verdict& v, DomainId d) {
  const auto* r = v.of(d);
  return r ? r->rule_id : "";
}

}  // namespace sentinel::test
