#include "compiler/parse/syntax_errors.h"

#include <cstdio>
#include <string>
#include <vector>

#include "SentinelLexer.h"

namespace sentinel::parse {

using sentinel_antlr::SentinelLexer;

namespace {

// How a token kind reads in "expected ...": ANTLR's display names are
// grammar-internal (IPV4, '{').
std::string describe(const antlr4::dfa::Vocabulary& vocab, size_t type) {
  switch (type) {
    case antlr4::Token::EOF: return "end of file";
    case SentinelLexer::IPV4: return "an IPv4 address";
    case SentinelLexer::IPV6: return "an IPv6 address";
    case SentinelLexer::NUMBER: return "a number";
    case SentinelLexer::ID: return "a name";
    case SentinelLexer::STRING: return "a string";
    default: break;
  }
  std::string lit = vocab.getLiteralName(type);
  if (lit.size() >= 2 && lit.front() == '\'') return "`" + lit.substr(1, lit.size() - 2) + "`";
  return vocab.getDisplayName(type);
}

bool is_keyword(size_t type) { return type >= SentinelLexer::SET && type <= SentinelLexer::TO; }

std::string join_expected(const std::vector<std::string>& items) {
  if (items.empty()) return "something else";
  if (items.size() == 1) return items[0];
  if (items.size() == 2) return items[0] + " or " + items[1];
  std::string s = "one of ";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) s += ", ";
    s += items[i];
  }
  return s;
}

}  // namespace

void SyntaxErrorListener::lexer_error(size_t line, size_t col) {
  uint32_t off = sm_.offset(file_, static_cast<uint32_t>(line), static_cast<uint32_t>(col) + 1);
  const std::string& text = sm_.text(file_);
  if (off >= text.size()) {
    diags_.report(DiagCode::E0001, Span{file_, off, off}, "unexpected end of file");
    return;
  }
  unsigned char c = static_cast<unsigned char>(text[off]);
  std::string shown;
  if (c == '"') {
    shown = "unterminated string";
  } else if (c < 0x20 || c >= 0x7f) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "byte 0x%02x", c);
    shown = std::string("unexpected ") + buf;
  } else {
    shown = std::string("unexpected character `") + static_cast<char>(c) + "`";
  }
  diags_.report(DiagCode::E0001, Span{file_, off, off + 1}, shown);
}

void SyntaxErrorListener::syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending,
                                      size_t line, size_t col, const std::string&,
                                      std::exception_ptr e) {
  if (failed_) return;
  failed_ = true;

  // The lexer reports characters that start no token (no offending token);
  // the parser reports tokens that do not fit.
  auto* parser = dynamic_cast<antlr4::Parser*>(recognizer);
  if (!parser || !offending) {
    lexer_error(line, col);
    return;
  }

  antlr4::misc::IntervalSet expected;
  if (e) {
    try {
      std::rethrow_exception(e);
    } catch (const antlr4::RecognitionException& re) {
      expected = re.getExpectedTokens();
    } catch (...) {
    }
  }
  if (expected.isEmpty()) expected = parser->getExpectedTokens();

  // Where a name is expected every keyword is too (keywords are valid
  // names); listing them would bury the useful word.
  bool wants_name = expected.contains(static_cast<size_t>(SentinelLexer::ID));
  std::vector<std::string> items;
  for (ssize_t t : expected.toList()) {
    if (wants_name && is_keyword(static_cast<size_t>(t))) continue;
    items.push_back(describe(parser->getVocabulary(), static_cast<size_t>(t)));
  }

  const std::string& text = sm_.text(file_);
  uint32_t size = static_cast<uint32_t>(text.size());
  std::string found;
  Span span;
  if (offending->getType() == antlr4::Token::EOF) {
    found = "end of file";
    span = Span{file_, size, size};
  } else {
    uint32_t b = std::min<uint32_t>(static_cast<uint32_t>(offending->getStartIndex()), size);
    uint32_t end = std::min<uint32_t>(static_cast<uint32_t>(offending->getStopIndex() + 1), size);
    if (end < b) end = b;
    std::string t = text.substr(b, end - b);
    if (t.size() > 40) t = t.substr(0, 37) + "...";
    found = "`" + t + "`";
    span = Span{file_, b, end};
  }
  diags_.report(DiagCode::E0001, span, "expected " + join_expected(items) + ", found " + found);
}

}  // namespace sentinel::parse
