// Helpers for parser tests: the hand-written parser (what runs) and the
// ANTLR-generated reference (the grammar), on the same text.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "compiler/parse/parse.h"
#include "compiler/parse/reader.h"
#include "compiler/parse/reference.h"

namespace sentinel::test {

struct Parsed {
  SourceManager sm;
  DiagEngine diags{sm};
  std::optional<ast::File> file;
  std::string tree;  // the parse tree in toStringTree form
  std::optional<uint32_t> first_error() const {
    std::optional<uint32_t> first;
    for (const auto& d : diags.all())
      if (!first || d.span.begin < *first) first = d.span.begin;
    return first;
  }
};

inline std::unique_ptr<Parsed> parse_text(const std::string& text) {
  auto p = std::make_unique<Parsed>();
  uint32_t id = p->sm.add("t.sen", text);
  parse::ParseTrace trace;
  p->file = parse::parse(p->sm, id, p->diags, &trace);
  p->tree = trace.str();
  return p;
}

// The two parsers agree on `text`: both accept it with the same parse tree,
// or both reject it, at the same first error. Returns what differs, or "".
// ANTLR's tree shows each byte of a byte stream as the code point of that
// value (Latin-1), written in UTF-8; so does this, for the hand parser's tree.
inline std::string latin1_to_utf8(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xc0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3f));
    }
  }
  return out;
}

inline std::string disagreement(const std::string& text) {
  auto mine = parse_text(text);
  mine->tree = latin1_to_utf8(mine->tree);
  auto ref = parse::reference_parse(text);
  bool ok = mine->file.has_value();
  if (ok != ref.ok)
    return std::string("hand parser ") + (ok ? "accepts" : "rejects") + ", ANTLR " +
           (ref.ok ? "accepts" : "rejects: " + ref.first_message) +
           (ok ? "" : "; hand parser: " + mine->diags.render_text());
  if (ok && mine->tree != ref.tree) return "trees differ:\n  hand:  " + mine->tree + "\n  ANTLR: " + ref.tree;
  if (!ok && mine->first_error() != ref.first_error)
    return "first error at byte " + std::to_string(mine->first_error().value_or(-1)) + " (hand), " +
           std::to_string(ref.first_error.value_or(-1)) + " (ANTLR: " + ref.first_message + ")\n" +
           mine->diags.render_text();
  return {};
}

}  // namespace sentinel::test
