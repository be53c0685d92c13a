// Checks of the firewall block: settings, rule ids, matches, and `ct`, which
// needs connection tracking.
#include <algorithm>

#include "compiler/ast/domains/firewall.h"
#include "compiler/eval/domains/firewall.h"
#include "compiler/sema/checks.h"

namespace sentinel::sema {

void check_firewall(const ast::Block& block, Context& ctx) {
  const auto& fw = static_cast<const ast::FirewallBlock&>(block);
  check_unique(fw.defaults, "default", ctx.diags);
  check_unique(fw.modes, "mode", ctx.diags);
  check_rule_ids(fw.rules, ctx.diags);
  for (const auto& m : fw.management) {
    check_match(m.match, ast::Name{"management", m.span}, ctx);
    if (!m.match.iface.empty())
      ctx.diags.report(DiagCode::E0115, m.match.iface[0].span, "`on` does not apply to `management`").help =
          "the guard keeps management access on every interface the firewall runs on";
  }
  // The interfaces the block runs on, when it names a group.
  const ast::SetDecl* group = nullptr;
  if (fw.scope)
    if (auto it = ctx.syms.sets.find(fw.scope->name.text); it != ctx.syms.sets.end()) group = it->second;
  for (const auto& r : fw.rules) {
    // The firewall counts its default, malformed packets and (with
    // conntrack) established ones under these ids.
    static constexpr std::pair<const char*, const char*> kReserved[] = {
        {eval::firewall::kDefaultId, "packets that no rule matches"},
        {eval::firewall::kMalformedId, "packets too malformed to match"},
        {eval::firewall::kEstablishedId, "packets conntrack's `established allow` passes before the rules"},
        {eval::firewall::kManagementId, "packets the anti-lockout guard (`management`) passes before the rules"}};
    for (const auto& [reserved, counts] : kReserved) {
      if (r.id.text != reserved) continue;
      auto& d = ctx.diags.report(DiagCode::E0124, r.id.span,
                                 "`" + r.id.text + "` is reserved for the firewall's own counter");
      d.notes.push_back({Span{}, "the firewall counts " + std::string(counts) + " as `" + r.id.text + "`"});
      d.help = "name the rule differently, for example `" + r.id.text + "-rule`";
    }
    check_match(r.match, r.id, ctx);
    std::vector<std::string> ifaces = check_ifaces(r.match, ctx);
    if (group && group->kind == pir::SetKind::Iface && !ifaces.empty() && !r.match.iface[0].negate) {
      bool any_in = false;
      for (const auto& g : group->ifaces) any_in = any_in || std::binary_search(ifaces.begin(), ifaces.end(), g.text);
      if (!any_in) {
        auto& d = ctx.diags.report(DiagCode::W0203, r.match.iface[0].span,
                                   "rule `" + r.id.text + "` can never match: the block does not run on its interfaces");
        d.notes.push_back({fw.scope->span, "the block runs on `@" + group->name.text + "`"});
      }
    }
    if (!r.ct.empty() && !ctx.has(DomainId::conntrack)) {
      ctx.diags
          .report(DiagCode::E0114, r.ct_span,
                  "rule `" + r.id.text + "` matches the connection state, but nothing tracks connections")
          .help = "add a `conntrack { }` block";
    }
  }
}

}  // namespace sentinel::sema
