#include "compiler/diff/diff.h"
#include "compiler/pir/domains/conntrack.h"

namespace sentinel::diff {

namespace {
std::string seconds(uint64_t ns) {
  return ns % 1000000000ull == 0 ? std::to_string(ns / 1000000000ull) + "s" : std::to_string(ns / 1000000) + "ms";
}
}  // namespace

void diff_conntrack(const pir::Block* live, const pir::Block* next, Plan& p) {
  const auto* a = static_cast<const pir::Conntrack*>(live);
  const auto* b = static_cast<const pir::Conntrack*>(next);
  if (!a) {
    p.push({'+', "conntrack", "block", "conntrack",
            std::string("established ") + (b->accept_established ? "allow" : "rules")});
    return;
  }
  if (!b) {
    p.push({'-', "conntrack", "block", "conntrack", "the conntrack block is removed"});
    return;
  }
  if (a->accept_established != b->accept_established)
    p.push({'~', "conntrack", "setting", "established",
            std::string(a->accept_established ? "allow" : "rules") + " -> " + (b->accept_established ? "allow" : "rules")});
  for (size_t i = 0; i < pir::kCtTimeouts; ++i) {
    if (a->timeouts_ns[i] == b->timeouts_ns[i]) continue;
    p.push({'~', "conntrack", "setting", std::string("timeout ") + pir::timeout_name(static_cast<pir::CtTimeout>(i)),
            seconds(a->timeouts_ns[i]) + " -> " + seconds(b->timeouts_ns[i])});
  }
}

}  // namespace sentinel::diff
