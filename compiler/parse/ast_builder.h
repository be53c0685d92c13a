// The ANTLR parse tree -> ast::File. Internal to compiler/parse. Walks the
// tree through the generated typed accessors rather than the visitor: no
// antlrcpp::Any boxing per node, and token text is sliced from the source
// instead of being copied out of the token stream.
#pragma once
#include "SentinelParser.h"
#include "compiler/ast/ast.h"
#include "compiler/support/source.h"

namespace sentinel::parse {

class AstBuilder {
 public:
  AstBuilder(const SourceManager& sm, uint32_t file) : text_(sm.text(file)), file_(file) {
    out_.file = file;
  }
  ast::File build(sentinel_antlr::SentinelParser::FileContext* ctx);

 private:
  using P = sentinel_antlr::SentinelParser;
  Span span(antlr4::Token* t) const;
  Span span(antlr4::tree::TerminalNode* n) const { return span(n->getSymbol()); }
  Span span(antlr4::ParserRuleContext* ctx) const;
  std::string_view text(Span s) const { return std::string_view(text_).substr(s.begin, s.end - s.begin); }

  ast::SetDecl cidr_set(P::CidrSetDeclContext* ctx) const;
  ast::SetDecl port_set(P::PortSetDeclContext* ctx) const;
  ast::Firewall firewall(P::FirewallBlockContext* ctx) const;
  ast::Name name(P::NameContext* ctx) const;
  ast::CidrLit cidr(P::CidrLitContext* ctx) const;
  ast::Number number(antlr4::tree::TerminalNode* n) const;
  ast::PortLit port(P::PortLitContext* ctx) const;
  ast::SetRef set_ref(P::SetRefContext* ctx) const;
  ast::Rule rule(P::FwRuleContext* ctx) const;
  ast::Endpoint endpoint(antlr4::ParserRuleContext* clause, P::FwAddrContext* addr,
                         P::FwPortsContext* ports) const;
  ast::AddrExpr addr(P::FwAddrContext* ctx) const;
  ast::PortExpr ports(P::FwPortsContext* ctx) const;

  const std::string& text_;
  uint32_t file_;
  ast::File out_;
};

}  // namespace sentinel::parse
