#include "compiler/parse/parse.h"

#include "compiler/parse/antlr_parse.h"
#include "compiler/parse/fast_parser.h"

namespace sentinel::parse {

std::optional<ast::File> parse(const SourceManager& sm, uint32_t file, DiagEngine& diags) {
  // The fast reader accepts only what the grammar accepts and gives up on
  // anything else; ANTLR then decides, and words the syntax error.
  if (auto f = fast_parse(sm, file)) return f;
  return antlr_parse(sm, file, diags);
}

}  // namespace sentinel::parse
