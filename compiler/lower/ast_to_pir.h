// AST -> PIR: sets resolved into the rules that use them, literals decoded,
// defaults filled in, locations attached. Runs only after sema reported no
// error, so every set reference resolves and every literal has a valid value.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/pir/pir.h"
#include "compiler/support/source.h"

namespace sentinel::lower {

pir::Policy ast_to_pir(const std::vector<ast::File>& files, const SourceManager& sm);

// What a domain's lowering gets: locations, and the shared parts of rules.
class LowerContext {
 public:
  LowerContext(const SourceManager& sm, std::map<std::string, const ast::SetDecl*, std::less<>> sets)
      : sm_(sm), sets_(std::move(sets)) {}
  pir::Loc loc(Span s) const;
  pir::Match match(const ast::Match& m) const;
  pir::AddrMatch addr(const ast::AddrExpr& a) const;
  pir::PortMatch ports(const ast::PortExpr& p) const;
  const ast::SetDecl& set(const std::string& name) const { return *sets_.at(name); }

 private:
  const SourceManager& sm_;
  std::map<std::string, const ast::SetDecl*, std::less<>> sets_;
};

// The per-domain lowerings, one per domain in lower/domains/<domain>.cpp.
#define SN_DOMAIN(name) std::unique_ptr<pir::Block> lower_##name(const ast::Block& b, const LowerContext& ctx);
#include "compiler/domains/domains.def"
#undef SN_DOMAIN

}  // namespace sentinel::lower
