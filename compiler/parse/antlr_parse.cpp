#include "compiler/parse/antlr_parse.h"

#include "SentinelLexer.h"
#include "SentinelParser.h"
#include "compiler/parse/ast_builder.h"
#include "compiler/parse/byte_stream.h"
#include "compiler/parse/syntax_errors.h"

namespace sentinel::parse {

std::optional<ast::File> antlr_parse(const SourceManager& sm, uint32_t file, DiagEngine& diags) {
  ByteStream input(sm.text(file));
  sentinel_antlr::SentinelLexer lexer(&input);
  SyntaxErrorListener listener(sm, file, diags);
  lexer.removeErrorListeners();
  lexer.addErrorListener(&listener);

  antlr4::CommonTokenStream tokens(&lexer);
  sentinel_antlr::SentinelParser parser(&tokens);
  parser.removeErrorListeners();

  // Two-stage parse: SLL prediction with a bailing error strategy is exact
  // for valid input of this grammar and avoids full-context prediction on
  // large files; only when it fails do we pay for LL, whose error reporting
  // is what the user sees.
  auto* sim = parser.getInterpreter<antlr4::atn::ParserATNSimulator>();
  sim->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  sentinel_antlr::SentinelParser::FileContext* tree = nullptr;
  try {
    tree = parser.file();
  } catch (const antlr4::ParseCancellationException&) {
    tree = nullptr;
  }
  if (!tree && !listener.failed()) {
    tokens.seek(0);
    parser.reset();
    parser.addErrorListener(&listener);
    parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
    sim->setPredictionMode(antlr4::atn::PredictionMode::LL);
    tree = parser.file();
  }
  if (listener.failed() || !tree) return std::nullopt;

  AstBuilder builder(sm, file);
  return builder.build(tree);
}

}  // namespace sentinel::parse
