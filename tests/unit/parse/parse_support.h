// Helpers for parser tests: parse a text through each reader.
#pragma once
#include <optional>
#include <string>

#include "compiler/parse/antlr_parse.h"
#include "compiler/parse/fast_parser.h"
#include "compiler/parse/parse.h"

namespace sentinel::test {

struct Parsed {
  SourceManager sm;
  DiagEngine diags{sm};
  std::optional<ast::File> file;
};

// Through parse(): the fast reader, falling back to ANTLR.
inline std::unique_ptr<Parsed> parse_text(const std::string& text) {
  auto p = std::make_unique<Parsed>();
  uint32_t id = p->sm.add("t.sen", text);
  p->file = parse::parse(p->sm, id, p->diags);
  return p;
}

inline std::unique_ptr<Parsed> antlr_text(const std::string& text) {
  auto p = std::make_unique<Parsed>();
  uint32_t id = p->sm.add("t.sen", text);
  p->file = parse::antlr_parse(p->sm, id, p->diags);
  return p;
}

inline std::optional<ast::File> fast_text(const std::string& text) {
  SourceManager sm;
  uint32_t id = sm.add("t.sen", text);
  return parse::fast_parse(sm, id);
}

}  // namespace sentinel::test
