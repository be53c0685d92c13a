// Diagnostics: a code from codes.def, a primary span, a message, notes with
// their own spans and an optional help line. Rendered rustc-style (source line
// and carets) or as JSON. Messages are lower-case without a trailing period.
#pragma once
#include <string>
#include <vector>

#include "compiler/support/source.h"

namespace sentinel {

enum class Severity { Error, Warning, Note };

enum class DiagCode {
#define SN_DIAG(code, sev, title) code,
#include "compiler/support/codes.def"
#undef SN_DIAG
};

const char* diag_code_name(DiagCode c);
Severity diag_default_severity(DiagCode c);
const char* diag_code_title(DiagCode c);

struct DiagNote {
  Span span;  // may be invalid: a note without a location
  std::string message;
};

struct Diagnostic {
  DiagCode code;
  Severity severity;
  Span span;
  std::string message;
  std::vector<DiagNote> notes;
  std::string help;
};

class DiagEngine {
 public:
  explicit DiagEngine(const SourceManager& sm) : sm_(sm) {}

  Diagnostic& report(DiagCode code, Span span, std::string message);
  const std::vector<Diagnostic>& all() const { return diags_; }
  size_t errors() const;
  size_t warnings() const;

  // Stable order: by file, then position, then code.
  void sort();
  std::string render_text(bool color = false) const;
  std::string render_json() const;
  std::string render_sarif() const;
  std::string render_github() const;

 private:
  const SourceManager& sm_;
  std::vector<Diagnostic> diags_;
};

}  // namespace sentinel
