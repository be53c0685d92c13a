// Keywords of the connection-tracking domain, including the packet states
// that firewall rules match with `ct`.
lexer grammar ConntrackLexer;

CONNTRACK   : 'conntrack';
CT          : 'ct';
NEW         : 'new';
ESTABLISHED : 'established';
RELATED     : 'related';
INVALID     : 'invalid';
TIMEOUT     : 'timeout';
RULES       : 'rules';
