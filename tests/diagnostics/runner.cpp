// Checks the diagnostics of one policy against the expectations written in
// it, in the manner of LLVM's -verify (see README.md):
//
//   # expected-error@+1 E0101 {{unknown set `foo`}}
//
// Every expectation must be met by exactly one diagnostic and every
// diagnostic must be expected. With a directory argument (a policy made of
// several files) the expectations of all its files apply.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/passes/pipeline.h"

namespace fs = std::filesystem;
using namespace sentinel;

namespace {

struct Expectation {
  std::string file;
  uint32_t line = 0;
  std::string severity;  // error, warning, note
  std::string code;      // may be empty
  std::string text;      // a substring of the message
  uint32_t at_line = 0;  // where the expectation is written
  bool met = false;
};

struct Seen {
  std::string file;
  uint32_t line = 0;
  std::string severity;
  std::string code;
  std::string message;
  bool expected = false;
};

std::vector<std::string> policy_files(const std::string& path) {
  std::vector<std::string> out;
  if (fs::is_directory(path)) {
    for (const auto& e : fs::recursive_directory_iterator(path))
      if (e.is_regular_file() && e.path().extension() == ".sen") out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
  } else {
    out.push_back(path);
  }
  return out;
}

bool read_expectations(const std::string& file, std::vector<Expectation>& out) {
  static const std::regex re(
      R"(expected-(error|warning|note)(@([+-]?)([0-9]+))?\s+(?:([EW][0-9]{4})\s+)?\{\{(.*?)\}\})");
  std::ifstream in(file);
  if (!in) return false;
  std::string line;
  for (uint32_t n = 1; std::getline(in, line); ++n) {
    auto hash = line.find('#');
    if (hash == std::string::npos) continue;
    std::string comment = line.substr(hash);
    for (std::sregex_iterator it(comment.begin(), comment.end(), re), end; it != end; ++it) {
      const auto& m = *it;
      Expectation e;
      e.file = file;
      e.at_line = n;
      e.severity = m[1];
      long target = n;
      if (m[2].matched) {
        long v = std::stol(m[4]);
        target = m[3] == "+" ? n + v : m[3] == "-" ? n - v : v;
      }
      e.line = static_cast<uint32_t>(target);
      e.code = m[5];
      e.text = m[6];
      out.push_back(std::move(e));
    }
  }
  return true;
}

const char* severity_name(Severity s) {
  return s == Severity::Error ? "error" : s == Severity::Warning ? "warning" : "note";
}

std::string where(const std::string& file, uint32_t line) {
  return fs::path(file).filename().string() + ":" + std::to_string(line);
}

}  // namespace

// A path that cannot be read has no file to hold expectations: it must give
// exactly one E0002 that names it.
int check_unreadable(const std::string& path) {
  auto fe = passes::run_frontend({path});
  const auto& all = fe->diags.all();
  if (all.size() == 1 && all[0].code == DiagCode::E0002 &&
      all[0].message.find(path) != std::string::npos && !fe->policy) {
    std::cout << "ok: " << all[0].message << '\n';
    return 0;
  }
  std::cerr << "expected one E0002 naming " << path << ", got:\n" << fe->diags.render_text();
  return 1;
}

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--unreadable") return check_unreadable(argv[2]);
  if (argc != 2) {
    std::cerr << "usage: diag_runner POLICY.sen|POLICY_DIR | --unreadable PATH\n";
    return 1;
  }
  std::string path = argv[1];
  std::vector<Expectation> expects;
  for (const auto& f : policy_files(path)) {
    if (!read_expectations(f, expects)) {
      std::cerr << "cannot read " << f << '\n';
      return 1;
    }
  }

  auto fe = passes::run_frontend({path});
  std::vector<Seen> seen;
  for (const auto& d : fe->diags.all()) {
    auto add = [&](Span s, const char* sev, const std::string& msg) {
      Seen x;
      x.severity = sev;
      x.code = diag_code_name(d.code);
      x.message = msg;
      if (s.valid()) {
        x.file = fe->sm.path(s.file);
        x.line = fe->sm.line_col(s.file, s.begin).line;
      }
      seen.push_back(std::move(x));
    };
    add(d.span, severity_name(d.severity), d.message);
    // A note without a place of its own ("did you mean") sits on its
    // diagnostic's line, so that a test can still ask for its words.
    for (const auto& n : d.notes) add(n.span.valid() ? n.span : d.span, "note", n.message);
  }

  // Notes are checked only where a test asks for them: most diagnostics
  // carry notes whose wording belongs to the diagnostic's own test.
  for (auto& e : expects) {
    for (auto& s : seen) {
      if (s.expected || s.severity != e.severity || s.line != e.line) continue;
      if (fs::path(s.file) != fs::path(e.file)) continue;
      if (e.severity != "note" && !e.code.empty() && s.code != e.code) continue;
      if (s.message.find(e.text) == std::string::npos) continue;
      s.expected = e.met = true;
      break;
    }
  }

  int failures = 0;
  for (const auto& e : expects) {
    if (e.met) continue;
    ++failures;
    std::cerr << "missing " << e.severity << (e.code.empty() ? "" : " " + e.code) << " at "
              << where(e.file, e.line) << " (expected at line " << e.at_line << "): {{" << e.text
              << "}}\n";
  }
  for (const auto& s : seen) {
    if (s.expected || s.severity == "note") continue;
    ++failures;
    std::cerr << "unexpected " << s.severity << " " << s.code << " at "
              << (s.file.empty() ? "<no location>" : where(s.file, s.line)) << ": " << s.message
              << '\n';
  }
  if (failures) {
    std::cerr << "\nall diagnostics:\n" << fe->diags.render_text();
    return 1;
  }
  std::cout << "ok: " << expects.size() << " expectation(s) met\n";
  return 0;
}
