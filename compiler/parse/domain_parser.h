// What each domain gives the parser: its block keyword and the function that
// reads the block from that keyword on (a grammar rule `<domain>Block`). The
// table of them is built from compiler/domains/domains.def in parse.cpp.
#pragma once
#include <memory>

#include "compiler/ast/ast.h"
#include "compiler/parse/reader.h"

namespace sentinel::parse {

struct DomainParser {
  Tok keyword;
  // Called at the keyword; reports and returns nullptr on a syntax error it
  // could not recover from inside the block.
  std::unique_ptr<ast::Block> (*parse)(Reader& r);
};

#define SN_DOMAIN(name) extern const DomainParser name##_parser;
#include "compiler/domains/domains.def"
#undef SN_DOMAIN

}  // namespace sentinel::parse
