// Parse, check and lower policy texts held in memory.
#pragma once
#include <map>
#include <string>

#include "compiler/lower/ast_to_pir.h"
#include "compiler/parse/parse.h"
#include "compiler/sema/sema.h"

namespace sentinel::test {

struct Front {
  SourceManager sm;
  DiagEngine diags{sm};
  std::vector<ast::File> files;
  std::optional<pir::Policy> policy;

  std::vector<std::string> codes() const {
    std::vector<std::string> out;
    for (const auto& d : diags.all()) out.push_back(diag_code_name(d.code));
    return out;
  }
};

// Files by path, in path order; lowered only when sema reports no error.
inline std::unique_ptr<Front> front(const std::map<std::string, std::string>& texts) {
  auto f = std::make_unique<Front>();
  for (const auto& [path, text] : texts) {
    uint32_t id = f->sm.add(path, text);
    if (auto file = parse::parse(f->sm, id, f->diags)) f->files.push_back(std::move(*file));
  }
  if (f->diags.errors() == 0) sema::check(f->files, f->diags);
  if (f->diags.errors() == 0) f->policy = lower::ast_to_pir(f->files, f->sm);
  f->diags.sort();
  return f;
}

inline std::unique_ptr<Front> front(const std::string& text) { return front({{"p.sen", text}}); }

}  // namespace sentinel::test
