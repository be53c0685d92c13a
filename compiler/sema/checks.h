// Checks shared by the top level and the domains. Internal to sema.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/sema/sema.h"
#include "compiler/support/diag.h"

namespace sentinel::sema {

// What a domain's checker gets.
struct Context {
  Symbols& syms;
  DiagEngine& diags;
  bool has(DomainId d) const { return syms.block(d) != nullptr; }
};

// E0102 / W0103. Returns whether the literal has a usable value.
bool check_cidr(const ast::CidrLit& c, DiagEngine& diags);
// E0104 / E0105. Returns whether the literal is a valid port or range.
bool check_port(const ast::PortLit& p, DiagEngine& diags);

// E0133. Returns whether the name is one Linux accepts.
bool check_iface_name(const ast::IfaceName& n, DiagEngine& diags);

// E0101 (with close names) and E0108. Marks the set used; returns it when it
// exists and has the wanted kind.
const ast::SetDecl* resolve_set(const ast::SetRef& ref, pir::SetKind want, Symbols& syms,
                                DiagEngine& diags);

// Names within a small edit distance of `name`, closest first, at most three.
std::vector<std::string> close_names(const std::string& name,
                                     const std::vector<std::string>& candidates);
// " did you mean `a`" note text for close names, or empty.
std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates);

// A rule's match clause: literals, set references, ports only with tcp/udp
// (E0110), and the address families it can match (E0106, naming the rule).
// Returns those families (bit 0 IPv4, bit 1 IPv6) when they could be
// computed, nullopt when an element was already reported.
std::optional<unsigned> check_match(const ast::Match& m, const ast::Name& rule_id, Context& ctx);

// The interfaces of a rule's `on` (its literal names and its sets' names),
// checked (E0133, E0101, E0108); empty when it has none.
std::vector<std::string> check_ifaces(const ast::Match& m, Context& ctx);

// E0107 for rule ids used twice in one block.
template <class Rule>
void check_rule_ids(const std::vector<Rule>& rules, DiagEngine& diags);

// E0111 for a setting (or option) given more than once.
template <class Setting>
void check_unique(const std::vector<Setting>& settings, const char* what, DiagEngine& diags) {
  for (size_t i = 1; i < settings.size(); ++i) {
    diags.report(DiagCode::E0111, settings[i].span, std::string("duplicate `") + what + "` setting")
        .notes.push_back({settings[0].span, "first set here"});
  }
}

// The per-domain checkers, one per domain in sema/domains/<domain>.cpp.
#define SN_DOMAIN(name) void check_##name(const ast::Block& block, Context& ctx);
#include "compiler/domains/domains.def"
#undef SN_DOMAIN

}  // namespace sentinel::sema

#include <string_view>
#include <unordered_map>

namespace sentinel::sema {

template <class Rule>
void check_rule_ids(const std::vector<Rule>& rules, DiagEngine& diags) {
  std::unordered_map<std::string_view, const Rule*> ids;
  ids.reserve(rules.size());
  for (const auto& r : rules) {
    auto [it, fresh] = ids.emplace(r.id.text, &r);
    if (!fresh) {
      diags.report(DiagCode::E0107, r.id.span, "duplicate rule id `" + r.id.text + "`")
          .notes.push_back({it->second->id.span, "first used here"});
    }
  }
}

}  // namespace sentinel::sema
