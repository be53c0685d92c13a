#include "tests/support/policy_fixture.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "compiler/passes/pipeline.h"

namespace sentinel::testing {

std::unique_ptr<PolicyFixture> PolicyFixture::compile(const std::string& policy_dir) {
  auto fe = passes::run_frontend({policy_dir});
  if (!fe->policy) {
    fe->diags.sort();
    std::cerr << fe->diags.render_text();
    return nullptr;
  }
  auto fx = std::make_unique<PolicyFixture>();
  fx->policy = std::move(*fe->policy);
  fx->artifacts = backend::compile_artifacts(fx->policy);
  return fx;
}

std::unique_ptr<PolicyFixture> PolicyFixture::compile_text(const std::string& text) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("sn-fixture-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream(dir / "policy.sen") << text;
  }
  auto fx = compile(dir.string());
  fs::remove_all(dir);
  return fx;
}

enforcer::core::Bundle PolicyFixture::bundle() const {
  return enforcer::core::bundle_of(policy, artifacts.objects);
}

void PolicyFixture::load_kernel() { kernel.emplace(enforcer::core::GenerationHarness::load(bundle())); }

}  // namespace sentinel::testing
