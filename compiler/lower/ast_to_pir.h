// AST -> PIR: sets resolved into the rules that use them, literals decoded,
// locations attached. Runs only after sema reported no error, so every set
// reference resolves and every literal has a valid value.
#pragma once
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/pir/pir.h"
#include "compiler/support/source.h"

namespace sentinel::lower {

pir::Policy ast_to_pir(const std::vector<ast::File>& files, const SourceManager& sm);

}  // namespace sentinel::lower
