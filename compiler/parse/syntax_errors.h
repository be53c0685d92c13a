// Turns ANTLR's error callbacks into one E0001 diagnostic per file, worded
// "expected X, found Y" at the offending token: the first error is the only
// reliable one, everything after it is recovery noise.
#pragma once
#include <cstdint>

#include "antlr4-runtime.h"
#include "compiler/support/diag.h"
#include "compiler/support/source.h"

namespace sentinel::parse {

class SyntaxErrorListener : public antlr4::BaseErrorListener {
 public:
  SyntaxErrorListener(const SourceManager& sm, uint32_t file, DiagEngine& diags)
      : sm_(sm), file_(file), diags_(diags) {}

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t line,
                   size_t col, const std::string& msg, std::exception_ptr e) override;

  bool failed() const { return failed_; }

 private:
  void lexer_error(size_t line, size_t col);

  const SourceManager& sm_;
  uint32_t file_;
  DiagEngine& diags_;
  bool failed_ = false;
};

}  // namespace sentinel::parse
