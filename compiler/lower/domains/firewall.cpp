#include "compiler/ast/domains/firewall.h"
#include "compiler/lower/ast_to_pir.h"

namespace sentinel::lower {

std::unique_ptr<pir::Block> lower_firewall(const ast::Block& block, const LowerContext& ctx) {
  const auto& fw = static_cast<const ast::FirewallBlock&>(block);
  auto out = std::make_unique<pir::Firewall>();
  out->loc = ctx.loc(fw.span);
  if (!fw.defaults.empty()) out->default_action = fw.defaults.front().action;
  if (!fw.modes.empty()) out->mode = fw.modes.front().mode;
  for (const auto& m : fw.management) {
    pir::FirewallManagement& o = out->management.emplace_back();
    bool empty = !m.match.family && !m.match.proto && !m.match.proto_lit && !m.match.from && !m.match.to &&
                 m.match.flags.empty() && m.match.icmp.empty() && m.match.dscp.empty() && m.match.vlan.empty();
    o.match = empty ? pir::default_management_match() : ctx.match(m.match);
    o.loc = ctx.loc(m.span);
  }
  out->rules.reserve(fw.rules.size());
  for (const auto& r : fw.rules) {
    pir::FirewallRule& o = out->rules.emplace_back();
    o.id = r.id.text;
    o.action = r.action;
    o.match = ctx.match(r.match);
    for (const auto& s : r.ct) o.ct |= pir::ct_bit(s.state);
    if (r.description) o.description = *r.description;
    o.loc = ctx.loc(r.id.span);
  }
  return out;
}

}  // namespace sentinel::lower
