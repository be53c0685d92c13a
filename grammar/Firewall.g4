// The firewall domain: one block with its settings first, then ordered rules.
parser grammar Firewall;

firewallBlock : FIREWALL blockScope? LBRACE fwSetting* fwRule* RBRACE;

fwSetting
    : DEFAULT (ALLOW | DENY)     # fwDefault
    | modeSetting                # fwMode
    | MANAGEMENT matchClause     # fwManagement
    ;

// rule ID ACTION MATCH [ct STATES] [STRING]
fwRule   : RULE name fwAction matchClause fwCt? STRING?;
fwAction : ALLOW | DENY | REJECT | LOG;
fwCt     : CT (ctState | LBRACE ctState (COMMA ctState)* COMMA? RBRACE);

firewallKeyword : FIREWALL | REJECT | MANAGEMENT;
