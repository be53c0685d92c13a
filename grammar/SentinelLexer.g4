// Tokens of the Sentinel policy language. Each domain defines its keywords in
// its own lexer grammar; they are imported before the literals, so that a
// keyword wins over ID on equal length (ANTLR appends imported rules in
// import order). The parser accepts keywords where a name is expected, so
// `rule web` and `set icmp` stay legal. The hand-written lexer of
// compiler/parse reads its keyword and punctuation tables from these files at
// build time (compiler/parse/gen_tokens.cmake): keywords are defined here
// and nowhere else.
lexer grammar SentinelLexer;

import CommonLexer, FirewallLexer, RatelimitLexer, ConntrackLexer, LiteralsLexer;
