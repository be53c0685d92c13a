// The ANTLR-generated parser of grammar/*.g4, the definition of the
// language, behind an ANTLR-free signature. Only tests link it (library
// sn_parse_reference): they hold the hand-written parser to it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sentinel::parse {

struct ReferenceParse {
  bool ok = false;         // no lexer or parser error
  std::string tree;        // Trees::toStringTree of the parse tree (when ok)
  std::optional<uint32_t> first_error;  // byte offset of the earliest error
  std::string first_message;            // ANTLR's own words for it
};

struct ReferenceOptions {
  bool tree = true;   // build `tree`; off for timing the parse alone
  bool sll = false;   // ANTLR's faster SLL prediction (LL decides exactly what the grammar says)
};

ReferenceParse reference_parse(std::string_view text, const ReferenceOptions& opts = {});

}  // namespace sentinel::parse
