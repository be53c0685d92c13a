#include "compiler/support/diag.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

namespace sentinel {

namespace {
struct CodeInfo {
  const char* name;
  Severity sev;
  const char* title;
};
const CodeInfo kCodes[] = {
#define SN_DIAG(code, sev, title) {#code, Severity::sev, title},
#include "compiler/support/codes.def"
#undef SN_DIAG
};

const char* sev_name(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "error";
}
}  // namespace

const char* diag_code_name(DiagCode c) { return kCodes[static_cast<int>(c)].name; }
Severity diag_default_severity(DiagCode c) { return kCodes[static_cast<int>(c)].sev; }
const char* diag_code_title(DiagCode c) { return kCodes[static_cast<int>(c)].title; }

Diagnostic& DiagEngine::report(DiagCode code, Span span, std::string message) {
  diags_.push_back(Diagnostic{code, diag_default_severity(code), span, std::move(message), {}, {}});
  return diags_.back();
}

size_t DiagEngine::errors() const {
  return std::count_if(diags_.begin(), diags_.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::Error; });
}
size_t DiagEngine::warnings() const {
  return std::count_if(diags_.begin(), diags_.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::Warning; });
}

void DiagEngine::sort() {
  std::stable_sort(diags_.begin(), diags_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.span.file != b.span.file) return a.span.file < b.span.file;
    if (a.span.begin != b.span.begin) return a.span.begin < b.span.begin;
    return static_cast<int>(a.code) < static_cast<int>(b.code);
  });
}

namespace {
void render_snippet(std::ostringstream& os, const SourceManager& sm, Span span,
                    const std::string& label) {
  if (!span.valid()) return;
  LineCol lc = sm.line_col(span.file, span.begin);
  std::string_view line = sm.line_text(span.file, lc.line);
  std::string num = std::to_string(lc.line);
  std::string pad(num.size(), ' ');
  os << pad << " --> " << sm.path(span.file) << ':' << lc.line << ':' << lc.col << '\n';
  os << pad << " |\n";
  os << num << " | " << line << '\n';
  size_t start = lc.col - 1;
  size_t len = span.end > span.begin ? span.end - span.begin : 1;
  if (start > line.size()) start = line.size();
  if (start + len > line.size()) len = std::max<size_t>(1, line.size() - start);
  os << pad << " | ";
  for (size_t i = 0; i < start; ++i) os << (line[i] == '\t' ? '\t' : ' ');
  os << std::string(len, '^');
  if (!label.empty()) os << ' ' << label;
  os << '\n';
}
}  // namespace

std::string DiagEngine::render_text(bool) const {
  std::ostringstream os;
  for (const auto& d : diags_) {
    os << sev_name(d.severity) << '[' << diag_code_name(d.code) << "]: " << d.message << '\n';
    render_snippet(os, sm_, d.span, "");
    // `= note` lines line up with the gutter of the snippet above them.
    std::string gutter(1, ' ');
    if (d.span.valid())
      gutter.assign(std::to_string(sm_.line_col(d.span.file, d.span.begin).line).size(), ' ');
    for (const auto& n : d.notes) {
      if (n.span.valid()) {
        render_snippet(os, sm_, n.span, n.message);
      } else {
        os << gutter << " = note: " << n.message << '\n';
      }
    }
    if (!d.help.empty()) os << gutter << " = help: " << d.help << '\n';
    os << '\n';
  }
  size_t e = errors(), w = warnings();
  if (e || w) {
    os << e << (e == 1 ? " error" : " errors") << ", " << w << (w == 1 ? " warning" : " warnings")
       << '\n';
  }
  return os.str();
}

namespace {
nlohmann::json span_json(const SourceManager& sm, Span s) {
  if (!s.valid()) return nullptr;
  LineCol b = sm.line_col(s.file, s.begin);
  LineCol e = sm.line_col(s.file, s.end > s.begin ? s.end : s.begin);
  return {{"file", sm.path(s.file)},
          {"line", b.line},
          {"column", b.col},
          {"end_line", e.line},
          {"end_column", e.col}};
}
}  // namespace

std::string DiagEngine::render_json() const {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& d : diags_) {
    nlohmann::json notes = nlohmann::json::array();
    for (const auto& n : d.notes) notes.push_back({{"message", n.message}, {"span", span_json(sm_, n.span)}});
    arr.push_back({{"severity", sev_name(d.severity)},
                   {"code", diag_code_name(d.code)},
                   {"message", d.message},
                   {"span", span_json(sm_, d.span)},
                   {"notes", notes},
                   {"help", d.help}});
  }
  nlohmann::json out = {{"diagnostics", arr}, {"errors", errors()}, {"warnings", warnings()}};
  return out.dump(2) + "\n";
}

std::string DiagEngine::render_sarif() const {
  nlohmann::json results = nlohmann::json::array();
  for (const auto& d : diags_) {
    nlohmann::json r = {{"ruleId", diag_code_name(d.code)},
                        {"level", d.severity == Severity::Error ? "error" : "warning"},
                        {"message", {{"text", d.message}}}};
    if (d.span.valid()) {
      LineCol b = sm_.line_col(d.span.file, d.span.begin);
      r["locations"] = {{{"physicalLocation",
                          {{"artifactLocation", {{"uri", sm_.path(d.span.file)}}},
                           {"region", {{"startLine", b.line}, {"startColumn", b.col}}}}}}};
    }
    results.push_back(r);
  }
  nlohmann::json out = {
      {"version", "2.1.0"},
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"runs", {{{"tool", {{"driver", {{"name", "sentinelc"}}}}}, {"results", results}}}}};
  return out.dump(2) + "\n";
}

std::string DiagEngine::render_github() const {
  std::ostringstream os;
  for (const auto& d : diags_) {
    os << "::" << (d.severity == Severity::Error ? "error" : "warning");
    // Workflow commands take "key=value" pairs after one space, comma-separated.
    if (d.span.valid()) {
      LineCol b = sm_.line_col(d.span.file, d.span.begin);
      os << " file=" << sm_.path(d.span.file) << ",line=" << b.line << ",col=" << b.col << ',';
    } else {
      os << ' ';
    }
    os << "title=" << diag_code_name(d.code) << "::" << d.message << '\n';
  }
  return os.str();
}

}  // namespace sentinel
