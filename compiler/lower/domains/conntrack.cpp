#include "compiler/ast/domains/conntrack.h"
#include "compiler/lower/ast_to_pir.h"

namespace sentinel::lower {

std::unique_ptr<pir::Block> lower_conntrack(const ast::Block& block, const LowerContext& ctx) {
  const auto& ct = static_cast<const ast::ConntrackBlock&>(block);
  auto out = std::make_unique<pir::Conntrack>();  // default timeouts
  out->loc = ctx.loc(ct.span);
  if (!ct.established.empty()) out->accept_established = ct.established.front().accept;
  // sema rejected unknown and repeated names.
  for (const auto& t : ct.timeouts)
    out->timeouts_ns[static_cast<size_t>(*pir::timeout_by_name(t.name.text))] = t.value.ns;
  return out;
}

}  // namespace sentinel::lower
