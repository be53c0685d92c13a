// Source text -> AST. The only door into the ANTLR-generated parser: no ANTLR
// type appears in this header or leaves this folder.
#pragma once
#include <cstdint>
#include <optional>

#include "compiler/ast/ast.h"
#include "compiler/support/diag.h"
#include "compiler/support/source.h"

namespace sentinel::parse {

// Parses one file. A syntax error is reported once, as E0001 at the offending
// token, and yields nullopt: a tree patched around a syntax error would only
// produce follow-on noise.
std::optional<ast::File> parse(const SourceManager& sm, uint32_t file, DiagEngine& diags);

}  // namespace sentinel::parse
