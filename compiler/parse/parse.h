// Source text -> AST. The hand-written lexer and reader (lexer.h, reader.h,
// one block parser per domain under domains/) implement the grammar of
// grammar/*.g4; the ANTLR-generated parser of that grammar is the reference
// the conformance test holds them to (reference.h).
#pragma once
#include <cstdint>
#include <optional>

#include "compiler/ast/ast.h"
#include "compiler/support/diag.h"
#include "compiler/support/source.h"

namespace sentinel::parse {

class ParseTrace;

// Parses one file. Every syntax error is reported as an E0001 at its token,
// with recovery in between; a file with any syntax error yields nullopt: a
// tree patched around errors would only produce follow-on noise in sema.
// With `trace`, records the parse tree in ANTLR's toStringTree form.
std::optional<ast::File> parse(const SourceManager& sm, uint32_t file, DiagEngine& diags,
                               ParseTrace* trace = nullptr);

}  // namespace sentinel::parse
