// Name resolution and checks over all files of a policy (one namespace).
// Every problem is a diagnostic with a code; lowering runs only when sema
// reported no error, so it may assume that everything resolves.
#pragma once
#include <array>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/support/diag.h"

namespace sentinel::sema {

struct Symbols {
  std::map<std::string, const ast::SetDecl*, std::less<>> sets;  // first definition of each name
  std::set<std::string, std::less<>> used_sets;                  // referenced somewhere
  // The first block of each domain; a second one is an error.
  std::array<const ast::Block*, kDomainCount> blocks{};
  const ast::Block* block(DomainId d) const { return blocks[domain_index(d)]; }
};

Symbols check(const std::vector<ast::File>& files, DiagEngine& diags);

}  // namespace sentinel::sema
