// Tokens of the Sentinel policy language. Keywords come before ID so that
// they win on equal length; the parser accepts keywords where a name is
// expected, so `rule web` and `set icmp` stay legal.
lexer grammar SentinelLexer;

// Declarations shared by every domain.
SET      : 'set';
CIDR_T   : 'cidr';
PORT     : 'port';

// Firewall domain.
FIREWALL : 'firewall';
DEFAULT  : 'default';
MODE     : 'mode';
ENFORCE  : 'enforce';
AUDIT    : 'audit';
RULE     : 'rule';
ALLOW    : 'allow';
DENY     : 'deny';
LOG      : 'log';
TCP      : 'tcp';
UDP      : 'udp';
ICMP     : 'icmp';
ICMPV6   : 'icmpv6';
ANY      : 'any';
FROM     : 'from';
TO       : 'to';

LBRACE : '{';
RBRACE : '}';
COMMA  : ',';
COLON  : ':';
EQUALS : '=';
BANG   : '!';
AT     : '@';
DOTDOT : '..';

// Address tokens are lexed leniently and validated by sema: a malformed
// address is then reported as an invalid CIDR at its own span instead of as
// a syntax error somewhere after it.
IPV4   : DIGIT+ ('.' DIGIT+)+ PREFIXLEN?;
// At least two colons, so that `set x: cidr` is still a name and a colon.
IPV6   : HEX* ':' HEX* ':' [0-9a-fA-F:.]* PREFIXLEN?;
NUMBER : DIGIT+;
ID     : [a-zA-Z_] [a-zA-Z0-9_-]*;
STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"';

COMMENT : '#' ~[\r\n]* -> skip;
WS      : [ \t\r\n]+ -> skip;

fragment DIGIT     : [0-9];
fragment HEX       : [0-9a-fA-F];
fragment PREFIXLEN : '/' DIGIT+;
