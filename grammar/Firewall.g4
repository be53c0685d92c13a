// The firewall domain: one block with its settings first, then ordered rules.
parser grammar Firewall;

firewallBlock : FIREWALL LBRACE fwSetting* fwRule* RBRACE;

fwSetting
    : DEFAULT (ALLOW | DENY)     # fwDefault
    | MODE (ENFORCE | AUDIT)     # fwMode
    ;

// rule ID ACTION [PROTO] [from ADDR [port PORTS]] [to ADDR [port PORTS]] [STRING]
fwRule : RULE name fwAction fwProto? fwFrom? fwTo? STRING?;

fwAction : ALLOW | DENY | LOG;
fwProto  : TCP | UDP | ICMP | ICMPV6 | ANY;
fwFrom   : FROM fwAddr (PORT fwPorts)?;
fwTo     : TO fwAddr (PORT fwPorts)?;

fwAddr
    : ANY                        # fwAddrAny
    | BANG? fwAddrAtom           # fwAddrMatch
    ;
fwAddrAtom
    : fwAddrElem
    | LBRACE fwAddrElem (COMMA fwAddrElem)* COMMA? RBRACE
    ;
fwAddrElem : cidrLit | setRef;

fwPorts
    : fwPortElem
    | LBRACE fwPortElem (COMMA fwPortElem)* COMMA? RBRACE
    ;
fwPortElem : portLit | setRef;
