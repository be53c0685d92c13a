// Checks shared by the top level and the domains. Internal to sema.
#pragma once
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/sema/sema.h"
#include "compiler/support/diag.h"

namespace sentinel::sema {

// E0102 / W0103. Returns whether the literal has a usable value.
bool check_cidr(const ast::CidrLit& c, DiagEngine& diags);
// E0104 / E0105. Returns whether the literal is a valid port or range.
bool check_port(const ast::PortLit& p, DiagEngine& diags);

// E0101 (with close names) and E0108. Marks the set used; returns it when it
// exists and has the wanted kind.
const ast::SetDecl* resolve_set(const ast::SetRef& ref, pir::SetKind want, Symbols& syms,
                                DiagEngine& diags);

// Names within a small edit distance of `name`, closest first, at most three.
std::vector<std::string> close_names(const std::string& name,
                                     const std::vector<std::string>& candidates);

namespace domains {
void check_firewall(const ast::Firewall& fw, Symbols& syms, DiagEngine& diags);
}

}  // namespace sentinel::sema
