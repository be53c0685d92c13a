// The rate-limiting block of grammar/Ratelimit.g4.
#include "compiler/ast/domains/ratelimit.h"
#include "compiler/parse/domain_parser.h"

namespace sentinel::parse {

namespace {

bool rl_key(Reader& r, ast::RlRule& rule, size_t first) {
  Reader::RuleScope rs(r, "rlKey");
  ast::RlKey k;
  if (r.accept(Tok::PORT)) {
    k.kind = pir::RateKey::Port;
  } else if (r.accept(Tok::SOURCE)) {
    k.kind = pir::RateKey::Source;
    if (r.accept(Tok::SLASH)) {
      if (!r.number(k.lens.emplace_back())) return false;
      if (r.accept(Tok::SLASH) && !r.number(k.lens.emplace_back())) return false;
      k.kind = pir::RateKey::Cidr;
    }
  } else {
    return r.fail();
  }
  k.span = r.span_from(first);
  rule.keys.push_back(std::move(k));
  return true;
}

bool rl_option(Reader& r, ast::RlRule& rule) {
  Reader::RuleScope rs(r, "rlOption");
  size_t first = r.pos();
  if (r.accept(Tok::BURST)) return r.number(rule.bursts.emplace_back());
  if (r.accept(Tok::PER)) return rl_key(r, rule, first);
  if (r.accept(Tok::GLOBAL)) {
    rule.keys.push_back({pir::RateKey::Global, {}, r.span_from(first)});
    return true;
  }
  if (r.accept(Tok::ALGORITHM)) return r.name(rule.algorithms.emplace_back());
  if (r.accept(Tok::WINDOW)) return r.duration(rule.windows.emplace_back());
  return r.fail();
}

bool starts_option(Reader& r) {
  bool yes = false;
  for (Tok t : {Tok::BURST, Tok::PER, Tok::GLOBAL, Tok::ALGORITHM, Tok::WINDOW}) yes = r.at(t) || yes;
  return yes;
}

bool rl_rule(Reader& r, ast::RlRule& out) {
  Reader::RuleScope rs(r, "rlRule");
  size_t first = r.pos();
  if (!r.expect(Tok::RULE) || !r.name(out.id)) return false;
  {
    Reader::RuleScope action(r, "rlAction");
    out.action_span = r.span_here();
    if (r.accept(Tok::DROP))
      out.action = pir::RateAction::Drop;
    else if (r.accept(Tok::LOG))
      out.action = pir::RateAction::Log;
    else
      return r.fail();
  }
  if (!r.match_clause(out.match)) return false;
  if (!r.expect(Tok::RATE) || !r.rate_lit(out.rate)) return false;
  while (starts_option(r))
    if (!rl_option(r, out)) return false;
  r.description(out.description, out.description_span);
  out.span = r.span_from(first);
  return true;
}

std::unique_ptr<ast::Block> parse_ratelimit(Reader& r) {
  Reader::RuleScope rs(r, "ratelimitBlock");
  auto b = std::make_unique<ast::RateLimitBlock>();
  b->span = r.span_here();
  r.consume();  // `ratelimit`
  if (!r.block_scope(b->scope)) return nullptr;
  b->rules.reserve(r.rule_tokens());
  bool ok = r.block_body(
      {Tok::MODE},
      [&] {
        Reader::RuleScope s(r, "rlSetting");
        return r.mode_setting(b->modes.emplace_back());
      },
      [&] { return rl_rule(r, b->rules.emplace_back()); });
  if (!ok) return nullptr;
  return b;
}

}  // namespace

const DomainParser ratelimit_parser = {Tok::RATELIMIT, &parse_ratelimit};

}  // namespace sentinel::parse
