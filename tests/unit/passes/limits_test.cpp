// E0132 and E0131 on rule lists built in memory: a million-line policy file
// would say nothing more.
#include <catch2/catch.hpp>

#include "compiler/lower/pir_to_plan.h"
#include "compiler/passes/analyses.h"
#include "compiler/pir/addr.h"

using namespace sentinel;

namespace {

struct Rules {
  std::vector<std::string> ids;
  pir::Match match;
  pir::Loc loc{"p.sen", 3, 10};
  std::vector<passes::RuleRef> refs(size_t n) {
    ids.resize(n);
    std::vector<passes::RuleRef> out;
    for (size_t i = 0; i < n; ++i) {
      ids[i] = "r" + std::to_string(i);
      out.push_back({ids[i], &match, 0x1f, &loc});
    }
    return out;
  }
};

std::vector<Diagnostic> run(const std::vector<passes::RuleRef>& refs) {
  SourceManager sm;
  sm.add("p.sen", "firewall {\n  default allow\n  rule r0 deny\n}\n");
  DiagEngine diags(sm);
  passes::check_rule_limits(refs, "the firewall", sm, diags);
  return diags.all();
}

}  // namespace

TEST_CASE("a million rules fit; one more is E0132 at the first past the limit", "[limits]") {
  Rules r;
  CHECK(run(r.refs(lower::kMaxPolicyRules)).empty());
  auto d = run(r.refs(lower::kMaxPolicyRules + 1));
  REQUIRE(d.size() == 1);
  CHECK(d[0].code == DiagCode::E0132);
  CHECK(d[0].message == "the firewall has 1048577 rules; at most 1048576 fit");
  CHECK(d[0].notes.at(0).message == "rule `r1048576` is the first past the limit");
}

TEST_CASE("E0131 names the rule whose records cross the limit", "[limits]") {
  Rules r;
  r.match.proto = pir::Proto::Udp;
  r.match.dport.any = false;
  for (uint32_t p = 1; p < 2048; p += 2) r.match.dport.ranges.push_back({uint16_t(p), uint16_t(p)});
  // 1024 port ranges in two families: 2048 records a rule, so 2048 rules fill
  // the limit exactly and the next one is past it.
  REQUIRE(lower::classifier_records(r.match) == 1024 * 2);
  CHECK(run(r.refs(2048)).empty());
  auto d = run(r.refs(2049));
  REQUIRE(d.size() == 1);
  CHECK(d[0].code == DiagCode::E0131);
  CHECK(d[0].message.find("from rule `r2048` on") != std::string::npos);
}
