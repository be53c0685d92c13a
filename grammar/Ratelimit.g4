// The rate-limiting domain: settings, then ordered rules; the first rule a
// packet matches decides which bucket it is charged to.
parser grammar Ratelimit;

ratelimitBlock : RATELIMIT blockScope? LBRACE rlSetting* rlRule* RBRACE;

rlSetting : modeSetting;

// rule ID ACTION MATCH rate RATE [burst N] [per KEY | global] [algorithm NAME] [window DURATION] [STRING]
rlRule   : RULE name rlAction matchClause RATE RATE_LIT rlOption* STRING?;
rlAction : DROP | LOG;
rlOption
    : BURST NUMBER               # rlBurst
    | PER rlKey                  # rlPer
    | GLOBAL                     # rlGlobal
    | ALGORITHM name             # rlAlgorithm
    | WINDOW DURATION            # rlWindow
    ;
rlKey
    : SOURCE (SLASH NUMBER (SLASH NUMBER)?)?   # rlKeySource
    | PORT                                     # rlKeyPort
    ;

ratelimitKeyword : RATELIMIT | RATE | BURST | PER | SOURCE | GLOBAL | ALGORITHM | WINDOW;
