// The Sentinel policy language: a file is a list of declarations. Each
// security domain lives in its own imported grammar; this file holds what
// they share (sets, literals, names, matches, settings). Adding a domain adds
// its block to `decl` and its keywords to `name`.
//
// This grammar is the definition of the language. The parser that runs is
// the hand-written one in compiler/parse (error recovery, speed); the
// conformance test (tests/unit/parse) checks on every domain's corpus that
// both build the same parse tree and reject the same inputs at the same token.
parser grammar SentinelParser;

options { tokenVocab = SentinelLexer; }

import Firewall, Ratelimit, Conntrack;

file : decl* EOF;

decl : setDecl | firewallBlock | ratelimitBlock | conntrackBlock;

setDecl
    : SET name COLON CIDR_T EQUALS LBRACE (cidrLit (COMMA cidrLit)* COMMA?)? RBRACE      # cidrSetDecl
    | SET name COLON PORT EQUALS LBRACE (portLit (COMMA portLit)* COMMA?)? RBRACE        # portSetDecl
    | SET name COLON IFACE EQUALS LBRACE (ifaceName (COMMA ifaceName)* COMMA?)? RBRACE   # ifaceSetDecl
    ;

// `firewall on @edge { ... }`: the interfaces a block runs on.
blockScope : ON setRef;

modeSetting : MODE (ENFORCE | AUDIT);

// What a rule matches:
//   [ipv4|ipv6] [PROTO] [from ADDR [port PORTS]] [to ADDR [port PORTS]] [OPTION]...
// where `on [!]IFACES` (a name, a string, `@set`, or a list of them) limits
// a rule to packets that arrive on those interfaces.
// PROTO is a keyword (`tcp`) or `proto NAME|NUMBER` (`proto gre`, `proto 47`,
// `proto icmp-any` for ICMP of both families).
matchClause : family? proto? fromClause? toClause? matchOption*;
family      : INET4 | INET6;
proto       : TCP | UDP | ICMP | ICMPV6 | ANY | PROTO nameOrNumber;
matchOption
    : FLAGS name (SLASH name)?                     # matchFlags
    | TYPE nameOrNumber (CODE nameOrNumber)?       # matchIcmp
    | CODE nameOrNumber                            # matchIcmpCode
    | DSCP nameOrNumber                            # matchDscp
    | VLAN NUMBER (COLON NUMBER)?                  # matchVlan
    | ON BANG? ifaceAtom                           # matchIface
    ;
ifaceAtom : ifaceElem | LBRACE ifaceElem (COMMA ifaceElem)* COMMA? RBRACE;
ifaceElem : ifaceName | setRef;
nameOrNumber : name | NUMBER;
fromClause  : FROM addr (PORT ports)?;
toClause    : TO addr (PORT ports)?;

addr
    : ANY                        # addrAny
    | BANG? addrAtom             # addrMatch
    ;
addrAtom : addrElem | LBRACE addrElem (COMMA addrElem)* COMMA? RBRACE;
addrElem : cidrLit | setRef;

ports    : portElem | LBRACE portElem (COMMA portElem)* COMMA? RBRACE;
portElem : portLit | setRef;

cidrLit   : IPV4 | IPV6;
portLit   : NUMBER (DOTDOT NUMBER)?;
ifaceName : name | STRING;
setRef    : AT name;

// Keywords are valid names: `rule icmpv6 allow icmpv6` names a rule `icmpv6`.
name : ID | commonKeyword | firewallKeyword | ratelimitKeyword | conntrackKeyword;

commonKeyword
    : SET | CIDR_T | PORT | IFACE | ON | RULE | DEFAULT | MODE | ENFORCE | AUDIT | ALLOW
    | DENY | DROP | LOG | TCP | UDP | ICMP | ICMPV6 | ANY | FROM | TO | INET4 | INET6 | PROTO
    | FLAGS | TYPE | CODE | DSCP | VLAN
    ;
