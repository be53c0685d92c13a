// The per-domain conformance corpora of tests/parse/<domain>/ against both
// parsers: the hand-written one that runs (compiler/parse) and the
// ANTLR-generated one of grammar/*.g4, the definition of the language.
//
//   conformance_runner DIR        every DIR/valid/*.sen is accepted by both
//                                 with the same parse tree; every
//                                 DIR/invalid/*.sen is rejected by both, the
//                                 first error at the same byte. An invalid
//                                 file may say what its first error is:
//                                 `# expect: {{substring of the message}}`.
//   conformance_runner --keywords every keyword of the lexer grammars
//                                 (tokens.inc) is a name to both parsers, so
//                                 the grammar's `<group>Keyword` rules list
//                                 them all.
// Prints one line per failure and a closing `N passed, N failed` line.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/unit/parse/parse_support.h"

namespace fs = std::filesystem;
using namespace sentinel;

namespace {

struct Tally {
  int passed = 0, failed = 0;
  void fail(const std::string& what, const std::string& why) {
    ++failed;
    std::cout << "FAIL " << what << ": " << why << "\n";
  }
};

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<fs::path> corpus(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".sen") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// `# expect: {{text}}` lines of a file.
std::vector<std::string> expectations(const std::string& text) {
  std::vector<std::string> out;
  const std::string tag = "# expect: {{";
  for (size_t at = text.find(tag); at != std::string::npos; at = text.find(tag, at + 1)) {
    size_t b = at + tag.size(), e = text.find("}}", b);
    if (e != std::string::npos) out.push_back(text.substr(b, e - b));
  }
  return out;
}

std::string first_message(const test::Parsed& p) {
  const Diagnostic* first = nullptr;
  for (const auto& d : p.diags.all())
    if (!first || d.span.begin < first->span.begin) first = &d;
  return first ? first->message : "";
}

void check_valid(const fs::path& f, Tally& t) {
  std::string text = read(f), why = test::disagreement(text);
  if (why.empty() && !test::parse_text(text)->file) why = "rejected by both parsers";
  if (why.empty()) {
    ++t.passed;
  } else {
    t.fail(f.string(), why);
  }
}

void check_invalid(const fs::path& f, Tally& t) {
  std::string text = read(f), why = test::disagreement(text);
  auto mine = test::parse_text(text);
  if (why.empty() && mine->file) why = "accepted by both parsers";
  if (why.empty()) {
    std::string msg = first_message(*mine);
    for (const auto& want : expectations(text))
      if (msg.find(want) == std::string::npos) why = "first error is `" + msg + "`, expected `" + want + "`";
  }
  if (why.empty()) {
    ++t.passed;
  } else {
    t.fail(f.string(), why);
  }
}

// Every keyword is a name: as a set's name, a set reference, a rule id.
void check_keywords(Tally& t) {
  struct Kw {
    const char* text;
    const char* group;
  };
  const Kw kws[] = {
#define SN_KEYWORD(name, text, group) {text, #group},
#define SN_PUNCT(name, text)
#include "tokens.inc"
#undef SN_KEYWORD
#undef SN_PUNCT
  };
  for (const auto& k : kws) {
    std::string kw = k.text;
    for (const std::string& text :
         {"set " + kw + ": port = {}", "set " + kw + ": iface = { " + kw + " }",
          "firewall { rule " + kw + " allow tcp to @" + kw + " }",
          "ratelimit { rule " + kw + " drop rate 1/s algorithm " + kw + " }",
          "conntrack { timeout " + kw + " 1s }"}) {
      std::string why = test::disagreement(text);
      if (why.empty() && !test::parse_text(text)->file) why = "not accepted as a name by either parser";
      if (why.empty()) {
        ++t.passed;
      } else {
        t.fail("keyword `" + kw + "` (" + k.group + "Keyword) in `" + text + "`", why);
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: conformance_runner DIR | --keywords\n";
    return 1;
  }
  Tally t;
  std::string arg = argv[1];
  std::string label;
  if (arg == "--keywords") {
    check_keywords(t);
    label = "keywords";
  } else {
    fs::path dir = arg;
    auto valid = corpus(dir / "valid"), invalid = corpus(dir / "invalid");
    if (valid.empty() && invalid.empty()) {
      std::cerr << dir.string() << ": no valid/*.sen or invalid/*.sen\n";
      return 1;
    }
    for (const auto& f : valid) check_valid(f, t);
    for (const auto& f : invalid) check_invalid(f, t);
    label = dir.filename().string() + " (" + std::to_string(valid.size()) + " valid, " +
            std::to_string(invalid.size()) + " invalid)";
  }
  std::cout << label << ": " << t.passed << " passed, " << t.failed << " failed\n";
  return t.failed ? 1 : 0;
}
