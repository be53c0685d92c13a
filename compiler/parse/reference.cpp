#include "compiler/parse/reference.h"

#include "SentinelLexer.h"
#include "SentinelParser.h"
#include "compiler/parse/byte_stream.h"

namespace sentinel::parse {

namespace {

// Records the earliest error, lexer or parser, by byte offset.
class Collect : public antlr4::BaseErrorListener {
 public:
  explicit Collect(std::string_view text) : text_(text) {}
  void syntaxError(antlr4::Recognizer*, antlr4::Token* offending, size_t line, size_t col,
                   const std::string& msg, std::exception_ptr) override {
    uint32_t off;
    if (offending) {
      off = offending->getType() == antlr4::Token::EOF ? static_cast<uint32_t>(text_.size())
                                                        : static_cast<uint32_t>(offending->getStartIndex());
    } else {
      off = offset_of(line, col);
    }
    if (!first || off < *first) {
      first = off;
      message = msg;
    }
  }
  std::optional<uint32_t> first;
  std::string message;

 private:
  uint32_t offset_of(size_t line, size_t col) const {
    size_t off = 0;
    for (size_t l = 1; l < line && off < text_.size(); ++off)
      if (text_[off] == '\n') ++l;
    return static_cast<uint32_t>(std::min(off + col, text_.size()));
  }
  std::string_view text_;
};

}  // namespace

ReferenceParse reference_parse(std::string_view text, const ReferenceOptions& opts) {
  ByteStream input(text);
  sentinel_antlr::SentinelLexer lexer(&input);
  Collect errors(text);
  lexer.removeErrorListeners();
  lexer.addErrorListener(&errors);
  antlr4::CommonTokenStream tokens(&lexer);
  sentinel_antlr::SentinelParser parser(&tokens);
  parser.removeErrorListeners();
  parser.addErrorListener(&errors);
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
      opts.sll ? antlr4::atn::PredictionMode::SLL : antlr4::atn::PredictionMode::LL);
  auto* tree = parser.file();
  ReferenceParse out;
  out.first_error = errors.first;
  out.first_message = errors.message;
  out.ok = !errors.first;
  if (out.ok && opts.tree) out.tree = tree->toStringTree(&parser);
  return out;
}

}  // namespace sentinel::parse
