// A hand-written recursive-descent reader of the same grammar as grammar/*.g4,
// for the common case of input without syntax errors. The ANTLR-generated
// parser stays the definition of the language and the only reporter of
// syntax errors: this reader gives up (nullopt) at the first thing it does
// not accept and parse() then runs ANTLR on the file. Its worth is speed:
// ANTLR's C++ runtime spends tens of microseconds per rule, which dominates
// compiling 100,000-rule policies. tests/unit/parse checks that whatever it
// accepts, ANTLR accepts with an identical AST.
#pragma once
#include <cstdint>
#include <optional>

#include "compiler/ast/ast.h"
#include "compiler/support/source.h"

namespace sentinel::parse {

std::optional<ast::File> fast_parse(const SourceManager& sm, uint32_t file);

}  // namespace sentinel::parse
