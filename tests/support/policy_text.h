// A policy written as text, through the real front end (parse, sema,
// lowering to PIR): what tests write when a case reads better as the
// language than as PIR built in code. Header-only; link sn_passes.
#pragma once
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "compiler/passes/pipeline.h"
#include "compiler/pir/pir.h"

namespace sentinel::testing {

// FAILs the test with the rendered diagnostics when the text has errors.
inline pir::Policy policy_from_text(const std::string& text) {
  char tmpl[] = "/tmp/sn-policy-text-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  std::filesystem::path dir(tmpl);
  std::ofstream(dir / "policy.sen") << text;
  auto fe = passes::run_frontend({dir.string()});
  std::filesystem::remove_all(dir);
  if (!fe->policy) {
    fe->diags.sort();
    FAIL("policy does not compile:\n" << fe->diags.render_text());
  }
  return std::move(*fe->policy);
}

}  // namespace sentinel::testing
