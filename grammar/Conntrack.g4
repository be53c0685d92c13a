// The connection-tracking domain: settings only. Its packet states are what
// firewall rules match with `ct`.
parser grammar Conntrack;

conntrackBlock : CONNTRACK blockScope? LBRACE ctSetting* RBRACE;

ctSetting
    : ESTABLISHED (ALLOW | RULES)   # ctEstablished
    | TIMEOUT name DURATION         # ctTimeout
    ;

ctState : NEW | ESTABLISHED | RELATED | INVALID;

conntrackKeyword : CONNTRACK | CT | NEW | ESTABLISHED | RELATED | INVALID | TIMEOUT | RULES;
