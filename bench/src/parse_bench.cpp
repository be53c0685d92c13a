// The policy parser's speed: the hand-written parser (lexer, reader and
// AST, what every tool runs) beside ANTLR's generated parser of the same
// grammar with its faster SLL prediction and no tree printing, on the same
// files. The ANTLR figure is a floor for any parser built on it, which must
// also walk its tree into an AST.
//
//   parse_bench FILE.sen...      a Markdown table: best of 7 runs per file
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "compiler/parse/parse.h"
#include "compiler/parse/reference.h"

namespace {

template <class F>
double best_ms(F f, int runs = 7) {
  double best = 1e300;
  for (int i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    if (!f()) return -1;
    best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: parse_bench FILE.sen...\n");
    return 1;
  }
  std::printf("| file | bytes | rules | hand-written parser → AST, ms | ANTLR SLL parse only, ms | ANTLR / hand-written |\n");
  std::printf("|---|---:|---:|---:|---:|---:|\n");
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    size_t rules = 0;
    for (size_t pos = 0; (pos = text.find("rule ", pos)) != std::string::npos; pos += 5) ++rules;
    double hand = best_ms([&] {
      sentinel::SourceManager sm;
      sentinel::DiagEngine diags(sm);
      uint32_t id = sm.add(argv[i], text);
      return sentinel::parse::parse(sm, id, diags).has_value();
    });
    double antlr = best_ms([&] {
      sentinel::parse::ReferenceOptions o;
      o.tree = false;
      o.sll = true;
      return sentinel::parse::reference_parse(text, o).ok;
    });
    if (hand < 0 || antlr < 0) {
      std::fprintf(stderr, "%s: does not parse\n", argv[i]);
      return 1;
    }
    std::printf("| %s | %zu | %zu | %.1f | %.1f | %.2fx |\n", argv[i], text.size(), rules, hand, antlr, antlr / hand);
  }
  return 0;
}
