// Keywords of the rate-limiting domain.
lexer grammar RatelimitLexer;

RATELIMIT : 'ratelimit';
RATE      : 'rate';
BURST     : 'burst';
PER       : 'per';
SOURCE    : 'source';
GLOBAL    : 'global';
ALGORITHM : 'algorithm';
WINDOW    : 'window';
