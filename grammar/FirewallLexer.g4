// Keywords of the firewall domain.
lexer grammar FirewallLexer;

FIREWALL : 'firewall';
REJECT   : 'reject';
MANAGEMENT : 'management';
