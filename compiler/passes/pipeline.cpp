// The table of contents of the front end. The order of the stages and the
// reason for each ordering constraint are stated here and nowhere else.
#include "compiler/passes/pipeline.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "compiler/lower/ast_to_pir.h"
#include "compiler/parse/parse.h"
#include "compiler/passes/analyses.h"
#include "compiler/sema/sema.h"

namespace sentinel::passes {

namespace fs = std::filesystem;

namespace {

using AnalyzeFn = void (*)(const pir::Policy&, const pir::Block&, const SourceManager&, DiagEngine&);
constexpr AnalyzeFn kAnalyses[] = {
#define SN_DOMAIN(name) &analyze_##name,
#include "compiler/domains/domains.def"
#undef SN_DOMAIN
};

void cannot_read(Frontend& fe, const std::string& path, const std::string& why) {
  fe.diags.report(DiagCode::E0002, Span{}, "cannot read `" + path + "`: " + why);
}

// Expands directories into their *.sen files, sorted by path so that the
// result (and every diagnostic order that follows from it) is deterministic.
std::vector<std::string> expand(Frontend& fe, const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::error_code ec;
    auto st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      cannot_read(fe, p, ec ? ec.message() : "no such file or directory");
      continue;
    }
    if (!fs::is_directory(st)) {
      out.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file(ec) && it->path().extension() == ".sen")
        found.push_back(it->path().string());
    }
    if (ec) cannot_read(fe, p, ec.message());
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

bool read_file(const std::string& path, std::string& text, std::string& why) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    why = std::strerror(errno);
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    why = "read error";
    return false;
  }
  text = std::move(ss).str();
  return true;
}

}  // namespace

namespace {

// Stages 1 (parse) to 4 on the files already in the source manager.
void run_stages(Frontend* fe, const std::vector<uint32_t>& ids, const FrontendOptions& opts);

}  // namespace

std::unique_ptr<Frontend> run_frontend(const std::vector<std::string>& paths,
                                       const FrontendOptions& opts) {
  auto fe = std::make_unique<Frontend>();
  std::vector<uint32_t> ids;
  std::set<fs::path> seen;
  for (const auto& path : expand(*fe, paths)) {
    // A file named twice (`check a.sen .`) is one file, not a duplicate of
    // every definition in it.
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(path, ec);
    if (!ec && !seen.insert(canonical).second) continue;
    std::string text, why;
    if (!read_file(path, text, why)) {
      cannot_read(*fe, path, why);
      continue;
    }
    ids.push_back(fe->sm.add(path, std::move(text)));
  }
  run_stages(fe.get(), ids, opts);
  return fe;
}

std::unique_ptr<Frontend> run_frontend_texts(std::vector<SourceText> sources, const FrontendOptions& opts) {
  auto fe = std::make_unique<Frontend>();
  std::vector<uint32_t> ids;
  for (auto& s : sources) ids.push_back(fe->sm.add(std::move(s.path), std::move(s.text)));
  run_stages(fe.get(), ids, opts);
  return fe;
}

namespace {

void run_stages(Frontend* fe, const std::vector<uint32_t>& ids, const FrontendOptions& opts) {
  // 1. Parse every file. Files are independent here; a syntax error in one
  //    does not stop the others from being parsed and reported.
  std::vector<ast::File> files;
  for (uint32_t id : ids)
    if (auto f = parse::parse(fe->sm, id, fe->diags)) files.push_back(std::move(*f));

  // 2. Sema needs every file: all files share one namespace, so a missing or
  //    broken file would turn into follow-on "unknown set" noise.
  if (fe->diags.errors() == 0) {
    sema::check(files, fe->diags);

    // 3. Lowering assumes that everything resolved and every literal is
    //    valid, which is what "sema reported no error" means.
    if (fe->diags.errors() == 0) {
      pir::Policy policy = lower::ast_to_pir(files, fe->sm);

      // 4. Analyses read the lowered policy (resolved sets, families) and
      //    warn; their only errors are the kernel's limits (E0131, E0132),
      //    which a policy that `build` would refuse meets here first.
      if (opts.analyses) {
        for (const auto& b : policy.blocks)
          kAnalyses[domain_index(b->domain())](policy, *b, fe->sm, fe->diags);
      }
      if (fe->diags.errors() == 0) fe->policy = std::move(policy);
    }
  }
  fe->diags.sort();
}

}  // namespace

}  // namespace sentinel::passes
