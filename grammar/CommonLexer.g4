// Keywords every domain may use: declarations, settings, actions, matches.
lexer grammar CommonLexer;

SET      : 'set';
CIDR_T   : 'cidr';
PORT     : 'port';
IFACE    : 'iface';
ON       : 'on';
RULE     : 'rule';
DEFAULT  : 'default';
MODE     : 'mode';
ENFORCE  : 'enforce';
AUDIT    : 'audit';
ALLOW    : 'allow';
DENY     : 'deny';
DROP     : 'drop';
LOG      : 'log';
TCP      : 'tcp';
UDP      : 'udp';
ICMP     : 'icmp';
ICMPV6   : 'icmpv6';
ANY      : 'any';
FROM     : 'from';
TO       : 'to';
