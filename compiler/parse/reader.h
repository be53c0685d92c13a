// The recursive-descent reader shared by the top level and every domain's
// block parser. Each parsing function mirrors one rule of grammar/*.g4 (the
// definition of the language) and opens a RuleScope with that rule's name, so
// that the conformance test can compare the parse tree it builds with the one
// the ANTLR-generated parser builds from the grammar.
//
// Errors: a function that cannot go on reports one E0001, "expected X, found
// Y", where X is what the decisions at that token could have taken (as
// ANTLR's error strategy words it), and returns false; the caller unwinds to
// a recovery point (a block item or a top-level declaration), skips tokens to
// a place where parsing can resume, and goes on. Every independent syntax
// error of a file is reported; follow-on errors of the same one are not.
#pragma once
#include <cstdint>
#include <array>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/parse/lexer.h"
#include "compiler/support/diag.h"
#include "compiler/support/source.h"

namespace sentinel::parse {

// A parse tree as text, in the form of ANTLR's Trees::toStringTree: rule
// nodes as "(rule child ...)", a rule with no children as its name alone,
// terminals as their text, the end of file as <EOF>.
class ParseTrace {
 public:
  void enter(const char* rule);
  void leave();
  void terminal(std::string_view text);
  std::string str() const;

 private:
  struct Node {
    std::string text;
    std::vector<size_t> children;
    bool rule = false;
  };
  void render(size_t n, std::string& out) const;
  std::vector<Node> nodes_;
  std::vector<size_t> open_;
  std::vector<size_t> roots_;
};

class Reader {
 public:
  // `skipped`: offsets of characters the lexer reported and skipped; an
  // error at the token right after one is a follow-on and is not reported.
  Reader(const SourceManager& sm, uint32_t file, std::vector<Token> toks, DiagEngine& diags,
         ParseTrace* trace, std::vector<uint32_t> skipped = {});

  // Opens a grammar rule for the trace and for the wording of errors; closes
  // it when it goes out of scope.
  class RuleScope {
   public:
    RuleScope(Reader& r, const char* rule);
    ~RuleScope();
    RuleScope(const RuleScope&) = delete;
    RuleScope& operator=(const RuleScope&) = delete;

   private:
    Reader& r_;
  };

  // Tokens. at() is a decision: it notes `k` as what could have come here.
  Tok peek(size_t k = 0) const { return toks_[std::min(pos_ + k, toks_.size() - 1)].kind; }
  const Token& cur() const { return toks_[pos_]; }
  size_t pos() const { return pos_; }
  bool at(Tok k);
  bool accept(Tok k);
  // accept(), or report the syntax error here and return false.
  bool expect(Tok k);
  // Reports "expected <what the decisions here noted>, found <this token>".
  bool fail();
  void consume();
  bool failed() const { return errors_ > 0; }
  // How many `rule` tokens the file has: a block reserves its rule vector
  // with it, since growing a vector of 100,000 rules moves each one twice.
  size_t rule_tokens() const { return rule_tokens_; }
  // Adds a help line to the error the last fail() reported, if it reported one.
  void help_last(std::string help);

  Span span(const Token& t) const { return Span{file_, t.begin, t.end}; }
  Span span_here() const { return span(cur()); }
  // From token `first` to the last one consumed.
  Span span_from(size_t first) const;
  std::string_view text(const Token& t) const;
  uint32_t file() const { return file_; }

  // Shared productions of SentinelParser.g4; each returns false after
  // reporting an error.
  bool name(ast::Name& out);
  bool cidr_lit(ast::CidrLit& out);
  bool port_lit(ast::PortLit& out);
  bool iface_name(ast::IfaceName& out);
  bool iface_elem(std::vector<ast::IfaceElem>& elems);
  bool set_ref(ast::SetRef& out);
  bool number(ast::Number& out);            // a NUMBER token (no rule of its own)
  bool rate_lit(ast::RateLit& out);         // a RATE_LIT token
  bool duration(ast::DurationLit& out);     // a DURATION token
  bool block_scope(std::optional<ast::SetRef>& out);  // blockScope?
  bool mode_setting(ast::ModeSetting& out);
  bool match_clause(ast::Match& out);
  bool name_or_number(ast::NameOrNumber& out);
  // STRING?: an optional description at the end of a rule.
  void description(std::optional<std::string>& out, Span& span);

  // Recovery: skips tokens, stepping over balanced braces, until one of
  // `sync` at the current brace level (or the end of the file, or a `}`
  // closing the current level). Clears the error state.
  void recover(std::initializer_list<Tok> sync);
  void recover(const std::vector<Tok>& sync);
  // The tokens that start a declaration (`set` and every block keyword):
  // recovery never skips them at the level it started from.
  void set_top_starts(std::vector<Tok> starts) { top_starts_ = std::move(starts); }
  // Recovery at the top level after a declaration that began at token
  // `first` failed: on to the next declaration keyword outside the braces
  // the failed one opened.
  void skip_declaration(size_t first);
  bool is_top_start(Tok t) const;

  // The body of a domain block, `{ setting* rule* }` (`{ setting* }` when
  // the domain has no rules: rule == nullptr), with recovery at each item:
  // settings may only come before the first rule. `setting_starts` are the
  // tokens that open a setting.
  template <class Setting, class Rule>
  bool block_body(const std::vector<Tok>& setting_starts, Setting setting, Rule rule);

 private:
  bool endpoint(ast::Endpoint& out, const char* rule);
  bool addr(ast::AddrExpr& out);
  bool addr_elem(std::vector<ast::AddrElem>& out);
  bool ports(ast::PortExpr& out);
  bool port_elem(std::vector<ast::PortElem>& out);
  // `@set` or a literal (`literal` reads it), under grammar rule `rule`.
  template <class Lit, class Elem>
  bool set_ref_or(std::vector<Elem>& elems, const char* rule, bool (Reader::*literal)(Lit&));
  // ELEM, or `{ ELEM (, ELEM)* ,? }`.
  template <class Elem>
  bool one_or_list(std::vector<Elem>& elems, bool (Reader::*elem)(std::vector<Elem>&));
  void note(Tok k);

  const SourceManager& sm_;
  uint32_t file_;
  std::vector<Token> toks_;
  DiagEngine& diags_;
  ParseTrace* trace_;
  size_t pos_ = 0;
  // What the decisions at token `noted_pos_` could have taken, with the rule
  // depth that noted each: leaving a rule forgets what it noted.
  // A fixed array: noting happens at every optional token of every rule, and
  // must cost no allocation.
  std::array<Tok, 48> noted_{};
  size_t noted_count_ = 0;
  size_t noted_pos_ = SIZE_MAX;
  uint16_t depth_ = 0;
  std::vector<Tok> top_starts_;
  size_t rule_tokens_ = 0;
  std::vector<uint32_t> skipped_;
  bool panic_ = false;
  Diagnostic* last_ = nullptr;  // what the last fail() reported  // an error was reported and recovery has not run yet
  size_t errors_ = 0;
  static constexpr size_t kMaxErrors = 50;
};

template <class Setting, class Rule>
bool Reader::block_body(const std::vector<Tok>& setting_starts, Setting setting, Rule rule) {
  if (!expect(Tok::LBRACE)) return false;
  constexpr bool has_rules = !std::is_same_v<Rule, std::nullptr_t>;
  std::vector<Tok> sync = setting_starts;
  if (has_rules) sync.push_back(Tok::RULE);
  bool rules = false;
  while (true) {
    if (!rules) {
      bool is_setting = false;
      for (Tok t : setting_starts) is_setting = at(t) || is_setting;
      if (is_setting) {
        if (!setting()) recover(sync);
        continue;
      }
    }
    if constexpr (has_rules) {
      if (at(Tok::RULE)) {
        rules = true;
        if (!rule()) recover(sync);
        continue;
      }
    }
    if (accept(Tok::RBRACE)) return true;
    bool misplaced_setting = false;
    for (Tok t : setting_starts) misplaced_setting = misplaced_setting || peek() == t;
    fail();
    if (misplaced_setting && rules) help_last("settings come before the first rule of the block");
    if (peek() == Tok::END || is_top_start(peek())) return false;
    consume();  // never stop on the same token twice
    recover(sync);
    // A declaration keyword where an item should be: the block's `}` is
    // missing; the file goes on from there.
    if (peek() == Tok::END || is_top_start(peek())) return false;
  }
}

}  // namespace sentinel::parse
