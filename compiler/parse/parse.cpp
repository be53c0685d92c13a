// The top of the grammar: `file : decl* EOF; decl : setDecl | <domain>Block`.
#include "compiler/parse/parse.h"

#include "compiler/parse/domain_parser.h"
#include "compiler/parse/lexer.h"
#include "compiler/parse/reader.h"

namespace sentinel::parse {

namespace {

const DomainParser* const kDomains[] = {
#define SN_DOMAIN(name) &name##_parser,
#include "compiler/domains/domains.def"
#undef SN_DOMAIN
};

bool set_decl(Reader& r, ast::SetDecl& out) {
  Reader::RuleScope rs(r, "setDecl");
  size_t first = r.pos();
  if (!r.expect(Tok::SET) || !r.name(out.name) || !r.expect(Tok::COLON)) return false;
  if (r.accept(Tok::CIDR_T))
    out.kind = pir::SetKind::Cidr;
  else if (r.accept(Tok::PORT))
    out.kind = pir::SetKind::Port;
  else if (r.accept(Tok::IFACE))
    out.kind = pir::SetKind::Iface;
  else
    return r.fail();
  if (!r.expect(Tok::EQUALS) || !r.expect(Tok::LBRACE)) return false;
  auto elem = [&]() -> bool {
    switch (out.kind) {
      case pir::SetKind::Cidr: return r.cidr_lit(out.cidrs.emplace_back());
      case pir::SetKind::Port: return r.port_lit(out.ports.emplace_back());
      case pir::SetKind::Iface: return r.iface_name(out.ifaces.emplace_back());
    }
    return false;
  };
  if (!r.at(Tok::RBRACE)) {
    if (!elem()) return false;
    while (r.accept(Tok::COMMA)) {
      if (r.at(Tok::RBRACE)) break;  // trailing comma
      if (!elem()) return false;
    }
  }
  if (!r.expect(Tok::RBRACE)) return false;
  out.span = r.span_from(first);
  return true;
}

}  // namespace

std::optional<ast::File> parse(const SourceManager& sm, uint32_t file, DiagEngine& diags,
                               ParseTrace* trace) {
  size_t errors_before = diags.errors();
  std::vector<uint32_t> skipped;
  auto toks = lex(sm.text(file), file, diags, &skipped);
  Reader r(sm, file, std::move(toks), diags, trace, std::move(skipped));
  std::vector<Tok> starts = {Tok::SET};
  for (const auto* d : kDomains) starts.push_back(d->keyword);
  r.set_top_starts(starts);

  ast::File out;
  out.file = file;
  {
    Reader::RuleScope rs(r, "file");
    while (!r.at(Tok::END)) {
      Reader::RuleScope decl(r, "decl");
      size_t first = r.pos();
      if (r.at(Tok::SET)) {
        ast::SetDecl s;
        if (set_decl(r, s))
          out.sets.push_back(std::move(s));
        else
          r.skip_declaration(first);
        continue;
      }
      const DomainParser* found = nullptr;
      for (const auto* d : kDomains)
        if (r.at(d->keyword)) found = d;
      if (found) {
        if (auto b = found->parse(r))
          out.blocks.emplace_back(std::move(b));
        else
          r.skip_declaration(first);
        continue;
      }
      r.fail();
      r.skip_declaration(first);
    }
    r.consume();  // <EOF>
  }
  if (diags.errors() > errors_before) return std::nullopt;
  return out;
}

}  // namespace sentinel::parse
