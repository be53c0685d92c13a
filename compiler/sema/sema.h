// Name resolution and checks over all files of a policy (one namespace).
// Every problem is a diagnostic with a code; lowering runs only when sema
// reported no error, so it may assume that everything resolves.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/support/diag.h"

namespace sentinel::sema {

struct Symbols {
  std::map<std::string, const ast::SetDecl*, std::less<>> sets;  // first definition of each name
  const ast::Firewall* firewall = nullptr;                       // the first firewall block
  std::set<std::string, std::less<>> used_sets;                  // referenced by some rule
};

Symbols check(const std::vector<ast::File>& files, DiagEngine& diags);

}  // namespace sentinel::sema
