#include "compiler/parse/literals.h"

namespace sentinel::parse {

uint64_t parse_decimal(std::string_view digits) {
  uint64_t v = 0;
  for (char c : digits) {
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return UINT64_MAX;
    v = v * 10 + d;
  }
  return v;
}

std::string unquote(std::string_view token) {
  if (token.size() >= 2) token = token.substr(1, token.size() - 2);
  std::string out;
  out.reserve(token.size());
  for (size_t i = 0; i < token.size(); ++i) {
    char c = token[i];
    if (c == '\\' && i + 1 < token.size()) {
      char n = token[++i];
      out.push_back(n == 'n' ? '\n' : n == 't' ? '\t' : n);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace sentinel::parse
