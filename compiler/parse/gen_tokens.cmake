# Writes tokens.inc, the hand-written lexer's table of fixed tokens, from the
# ANTLR lexer grammars: the files SentinelLexer.g4 imports, in import order,
# and in each the rules of the form `NAME : 'literal' ;`. A literal of
# letters is a keyword, anything else punctuation:
#   SN_KEYWORD(SET, "set", common)   SN_PUNCT(LBRACE, "{")
# The third field of a keyword is its lexer grammar's name without "Lexer",
# lower-case: the parser grammar lists it in the rule `<group>Keyword`.
# Keywords are thereby defined once, in the grammar. Invoked as
#   cmake -DGRAMMAR_DIR= -DOUT= -P gen_tokens.cmake
file(READ "${GRAMMAR_DIR}/SentinelLexer.g4" main)
string(REGEX MATCH "import[ \t]+([A-Za-z0-9_, \t]+);" _ "${main}")
if(NOT CMAKE_MATCH_1)
  message(FATAL_ERROR "SentinelLexer.g4 has no import line")
endif()
string(REGEX REPLACE "[ \t]" "" imports "${CMAKE_MATCH_1}")
string(REPLACE "," ";" imports "${imports}")
set(out "// Generated from grammar/*.g4 by compiler/parse/gen_tokens.cmake; do not edit.\n")
foreach(g IN LISTS imports)
  file(STRINGS "${GRAMMAR_DIR}/${g}.g4" lines)
  string(REGEX REPLACE "Lexer$" "" group "${g}")
  string(TOLOWER "${group}" group)
  string(APPEND out "// ${g}.g4\n")
  foreach(line IN LISTS lines)
    if(line MATCHES "^([A-Z][A-Z0-9_]*)[ \t]*:[ \t]*'([^']+)'[ \t]*;")
      set(name "${CMAKE_MATCH_1}")
      set(lit "${CMAKE_MATCH_2}")
      if(lit MATCHES "^[A-Za-z][A-Za-z0-9_]*$")
        string(APPEND out "SN_KEYWORD(${name}, \"${lit}\", ${group})\n")
      else()
        string(REPLACE "\\" "\\\\" lit "${lit}")
        string(APPEND out "SN_PUNCT(${name}, \"${lit}\")\n")
      endif()
    endif()
  endforeach()
endforeach()
file(WRITE "${OUT}.tmp" "${out}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
