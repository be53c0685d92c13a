// The ANTLR-generated parser behind an ANTLR-free signature: the reference
// reader of the language and the reporter of syntax errors.
#pragma once
#include <cstdint>
#include <optional>

#include "compiler/ast/ast.h"
#include "compiler/support/diag.h"
#include "compiler/support/source.h"

namespace sentinel::parse {

std::optional<ast::File> antlr_parse(const SourceManager& sm, uint32_t file, DiagEngine& diags);

}  // namespace sentinel::parse
