// The Sentinel policy language: a file is a list of declarations. Each
// security domain lives in its own imported grammar; this file holds what
// they share (sets, literals, names).
parser grammar SentinelParser;

options { tokenVocab = SentinelLexer; }

import Firewall;

file : decl* EOF;

decl : setDecl | firewallBlock;

setDecl
    : SET name COLON CIDR_T EQUALS LBRACE (cidrLit (COMMA cidrLit)* COMMA?)? RBRACE  # cidrSetDecl
    | SET name COLON PORT EQUALS LBRACE (portLit (COMMA portLit)* COMMA?)? RBRACE    # portSetDecl
    ;

cidrLit : IPV4 | IPV6;
portLit : NUMBER (DOTDOT NUMBER)?;
setRef  : AT name;

// Keywords are valid names: `rule icmpv6 allow icmpv6` names a rule `icmpv6`.
name
    : ID | SET | CIDR_T | PORT | FIREWALL | DEFAULT | MODE | ENFORCE | AUDIT | RULE
    | ALLOW | DENY | LOG | TCP | UDP | ICMP | ICMPV6 | ANY | FROM | TO
    ;
