// The hand-written lexer: the tokens of grammar/SentinelLexer.g4 (and the
// lexer grammars it imports), with the same longest-match rule (on equal
// length the rule listed first wins: keywords, punctuation, IPV4, IPV6,
// RATE_LIT, DURATION, NUMBER, ID, STRING). Keywords and punctuation come from
// tokens.inc, generated from the grammar at build time.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "compiler/support/diag.h"

namespace sentinel::parse {

enum class Tok : uint16_t {
#define SN_KEYWORD(name, text, group) name,
#define SN_PUNCT(name, text) name,
#include "tokens.inc"
#undef SN_KEYWORD
#undef SN_PUNCT
  IPV4, IPV6, RATE_LIT, DURATION, NUMBER, ID, STRING, END
};

struct Token {
  Tok kind;
  uint32_t begin, end;  // bytes of the source
};

bool is_keyword(Tok t);
// The keyword's lexer grammar, lower-case without "Lexer": "common", "firewall".
const char* keyword_group(Tok t);
// How the token reads in "expected ...": "`rule`", "`{`", "an IPv4 address".
const char* describe(Tok t);

// Every token of the file, END last. A character that starts no token is an
// E0001 at that character and is skipped; an unterminated string is an E0001
// at its quote and the rest of its line is skipped.
// `skipped` receives the offset of every character skipped that way.
std::vector<Token> lex(std::string_view text, uint32_t file, DiagEngine& diags,
                       std::vector<uint32_t>* skipped = nullptr);

}  // namespace sentinel::parse
