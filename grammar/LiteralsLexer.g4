// Punctuation and literals; imported last, so every keyword beats ID.
lexer grammar LiteralsLexer;

LBRACE : '{';
RBRACE : '}';
COMMA  : ',';
COLON  : ':';
EQUALS : '=';
BANG   : '!';
AT     : '@';
DOTDOT : '..';
SLASH  : '/';

// Address tokens are lexed leniently and validated by sema: a malformed
// address is then reported as an invalid CIDR at its own span instead of as
// a syntax error somewhere after it.
IPV4     : DIGIT+ ('.' DIGIT+)+ PREFIXLEN?;
// At least two colons, so that `set x: cidr` is still a name and a colon.
IPV6     : HEX* ':' HEX* ':' [0-9a-fA-F:.]* PREFIXLEN?;
// `100/s`: a count per second, minute or hour.
RATE_LIT : DIGIT+ '/' [smh];
// `30s`, `500ms`, `5m`, `2h`, `7d`.
DURATION : DIGIT+ ('ms' | 's' | 'm' | 'h' | 'd');
NUMBER   : DIGIT+;
ID       : [a-zA-Z_] [a-zA-Z0-9_-]*;
STRING   : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"';

COMMENT : '#' ~[\r\n]* -> skip;
WS      : [ \t\r\n]+ -> skip;

fragment DIGIT     : [0-9];
fragment HEX       : [0-9a-fA-F];
fragment PREFIXLEN : '/' DIGIT+;
