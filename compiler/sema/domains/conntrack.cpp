// Checks of the conntrack block: each setting once, known timeout names,
// timeouts within reason.
#include <map>

#include "compiler/ast/domains/conntrack.h"
#include "compiler/sema/checks.h"

namespace sentinel::sema {

namespace {
constexpr uint64_t kMaxTimeoutNs = 365ull * 86400 * 1000000000ull;
}

void check_conntrack(const ast::Block& block, Context& ctx) {
  const auto& ct = static_cast<const ast::ConntrackBlock&>(block);
  check_unique(ct.established, "established", ctx.diags);
  std::vector<std::string> names;
  for (size_t i = 0; i < pir::kCtTimeouts; ++i) names.push_back(pir::timeout_name(static_cast<pir::CtTimeout>(i)));
  std::map<std::string, const ast::CtTimeout*> seen;
  for (const auto& t : ct.timeouts) {
    if (!pir::timeout_by_name(t.name.text)) {
      auto& d = ctx.diags.report(DiagCode::E0117, t.name.span, "unknown timeout `" + t.name.text + "`");
      auto hint = did_you_mean(t.name.text, names);
      if (!hint.empty()) d.notes.push_back({Span{}, hint});
      std::string all;
      for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
      d.help = "the timeouts are " + all;
      continue;
    }
    auto [it, fresh] = seen.emplace(t.name.text, &t);
    if (!fresh) {
      ctx.diags.report(DiagCode::E0111, t.span, "duplicate `timeout " + t.name.text + "` setting")
          .notes.push_back({it->second->span, "first set here"});
    }
    if (t.value.ns == 0 || t.value.ns > kMaxTimeoutNs)
      ctx.diags.report(DiagCode::E0122, t.value.span,
                       t.value.ns == 0 ? "a timeout of 0 would end every flow at once"
                                       : "timeout longer than 365 days");
  }
}

}  // namespace sentinel::sema
