// The firewall block of grammar/Firewall.g4.
#include "compiler/ast/domains/firewall.h"
#include "compiler/parse/domain_parser.h"

namespace sentinel::parse {

namespace {

bool fw_setting(Reader& r, ast::FirewallBlock& b) {
  Reader::RuleScope rs(r, "fwSetting");
  if (r.at(Tok::MODE)) return r.mode_setting(b.modes.emplace_back());
  size_t first = r.pos();
  if (r.accept(Tok::MANAGEMENT)) {
    auto& m = b.management.emplace_back();
    if (!r.match_clause(m.match)) return false;
    m.span = r.span_from(first);
    return true;
  }
  if (!r.expect(Tok::DEFAULT)) return false;
  ast::FwDefault d;
  if (r.accept(Tok::ALLOW))
    d.action = pir::FirewallAction::Allow;
  else if (r.accept(Tok::DENY))
    d.action = pir::FirewallAction::Deny;
  else
    return r.fail();
  d.span = r.span_from(first);
  b.defaults.push_back(d);
  return true;
}

bool ct_state(Reader& r, std::vector<ast::CtStateLit>& out) {
  Reader::RuleScope rs(r, "ctState");
  static constexpr std::pair<Tok, pir::CtState> kStates[] = {
      {Tok::NEW, pir::CtState::New},
      {Tok::ESTABLISHED, pir::CtState::Established},
      {Tok::RELATED, pir::CtState::Related},
      {Tok::INVALID, pir::CtState::Invalid}};
  for (const auto& [tok, state] : kStates) {
    if (r.at(tok)) {
      out.push_back({state, r.span_here()});
      r.consume();
      return true;
    }
  }
  return r.fail();
}

bool fw_ct(Reader& r, ast::FwRule& rule) {
  Reader::RuleScope rs(r, "fwCt");
  size_t first = r.pos();
  r.consume();  // `ct`
  if (r.accept(Tok::LBRACE)) {
    if (!ct_state(r, rule.ct)) return false;
    while (r.accept(Tok::COMMA)) {
      if (r.at(Tok::RBRACE)) break;
      if (!ct_state(r, rule.ct)) return false;
    }
    if (!r.expect(Tok::RBRACE)) return false;
  } else if (!ct_state(r, rule.ct)) {
    return false;
  }
  rule.ct_span = r.span_from(first);
  return true;
}

bool fw_rule(Reader& r, ast::FwRule& out) {
  Reader::RuleScope rs(r, "fwRule");
  size_t first = r.pos();
  if (!r.expect(Tok::RULE) || !r.name(out.id)) return false;
  {
    Reader::RuleScope action(r, "fwAction");
    out.action_span = r.span_here();
    if (r.accept(Tok::ALLOW))
      out.action = pir::FirewallAction::Allow;
    else if (r.accept(Tok::DENY))
      out.action = pir::FirewallAction::Deny;
    else if (r.accept(Tok::REJECT))
      out.action = pir::FirewallAction::Reject;
    else if (r.accept(Tok::LOG))
      out.action = pir::FirewallAction::Log;
    else
      return r.fail();
  }
  if (!r.match_clause(out.match)) return false;
  if (r.at(Tok::CT) && !fw_ct(r, out)) return false;
  r.description(out.description, out.description_span);
  out.span = r.span_from(first);
  return true;
}

std::unique_ptr<ast::Block> parse_firewall(Reader& r) {
  Reader::RuleScope rs(r, "firewallBlock");
  auto b = std::make_unique<ast::FirewallBlock>();
  b->span = r.span_here();
  r.consume();  // `firewall`
  if (!r.block_scope(b->scope)) return nullptr;
  b->rules.reserve(r.rule_tokens());
  bool ok = r.block_body(
      {Tok::DEFAULT, Tok::MODE, Tok::MANAGEMENT}, [&] { return fw_setting(r, *b); },
      [&] { return fw_rule(r, b->rules.emplace_back()); });
  if (!ok) return nullptr;
  return b;
}

}  // namespace

const DomainParser firewall_parser = {Tok::FIREWALL, &parse_firewall};

}  // namespace sentinel::parse
