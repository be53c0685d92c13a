// The building blocks of the canonical PIR text, shared by the top level and
// every domain's block (print.cpp describes the form). Writers append to a
// string; TextLine reads one line and throws TextError on anything that is
// not exactly what the writers produce.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "compiler/pir/pir.h"

namespace sentinel::pir {

struct TextError {
  std::string what;
};
[[noreturn]] void text_fail(std::string what);

// Names (rule ids, set names) print bare when they consist of
// [A-Za-z0-9_.-]+, otherwise quoted.
bool is_bare_name(std::string_view s);
void append_quoted(std::string& out, std::string_view s);
void append_name(std::string& out, std::string_view s);
void append_loc(std::string& out, const Loc& loc);   // " loc ..." or nothing
void append_desc(std::string& out, const std::string& description);  // " desc ..." or nothing
void append_ns(std::string& out, uint64_t ns);       // "1500ns"
// "tcp src ... dst ... sport ... dport ..."
void append_match(std::string& out, const Match& m);

class TextLine {
 public:
  explicit TextLine(std::string_view s) : s_(s) {}

  bool done();
  void skip_spaces();
  bool at(char c) const { return i_ < s_.size() && s_[i_] == c; }
  bool eat(char c);
  bool eat(std::string_view lit);
  void expect(char c);
  // A space-separated word.
  std::string_view word();
  void keyword(std::string_view kw);
  // The next word without consuming it ("" at the end).
  std::string_view peek_word();
  std::string name();
  std::string quoted();
  uint32_t number();
  uint64_t number64();
  uint64_t ns();  // "1500ns"
  // The text up to (not including) the first of `stops`, or to the end.
  std::string_view until(std::string_view stops);

  Loc loc();      // after the `loc` keyword
  Match match();  // what append_match wrote
  // Reads optional ` desc "..."` and ` loc ...` at the end of the line.
  void trailer(std::string* description, Loc* loc);

 private:
  std::string_view s_;
  size_t i_ = 0;
};

Proto proto_of(std::string_view w);
Mode mode_of(std::string_view w);

}  // namespace sentinel::pir
