// The connection-tracking block of grammar/Conntrack.g4.
#include "compiler/ast/domains/conntrack.h"
#include "compiler/parse/domain_parser.h"

namespace sentinel::parse {

namespace {

bool ct_setting(Reader& r, ast::ConntrackBlock& b) {
  Reader::RuleScope rs(r, "ctSetting");
  size_t first = r.pos();
  if (r.accept(Tok::ESTABLISHED)) {
    ast::CtEstablished e;
    if (r.accept(Tok::ALLOW))
      e.accept = true;
    else if (r.accept(Tok::RULES))
      e.accept = false;
    else
      return r.fail();
    e.span = r.span_from(first);
    b.established.push_back(e);
    return true;
  }
  if (!r.expect(Tok::TIMEOUT)) return false;
  ast::CtTimeout t;
  if (!r.name(t.name) || !r.duration(t.value)) return false;
  t.span = r.span_from(first);
  b.timeouts.push_back(std::move(t));
  return true;
}

std::unique_ptr<ast::Block> parse_conntrack(Reader& r) {
  Reader::RuleScope rs(r, "conntrackBlock");
  auto b = std::make_unique<ast::ConntrackBlock>();
  b->span = r.span_here();
  r.consume();  // `conntrack`
  if (!r.block_scope(b->scope)) return nullptr;
  if (!r.block_body({Tok::ESTABLISHED, Tok::TIMEOUT}, [&] { return ct_setting(r, *b); }, nullptr))
    return nullptr;
  return b;
}

}  // namespace

const DomainParser conntrack_parser = {Tok::CONNTRACK, &parse_conntrack};

}  // namespace sentinel::parse
