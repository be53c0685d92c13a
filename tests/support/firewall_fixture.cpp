#include "tests/support/firewall_fixture.h"

#include <iostream>

#include "compiler/passes/pipeline.h"

namespace sentinel::testing {

std::unique_ptr<FirewallFixture> FirewallFixture::compile(const std::string& policy_dir) {
  auto fe = passes::run_frontend({policy_dir});
  if (!fe->policy) {
    fe->diags.sort();
    std::cerr << fe->diags.render_text();
    return nullptr;
  }
  auto fx = std::make_unique<FirewallFixture>();
  fx->policy = std::move(*fe->policy);
  fx->artifacts = backend::compile_firewall(fx->policy);
  return fx;
}

void FirewallFixture::load_kernel() {
  kernel.emplace(enforcer::core::FirewallHarness::load(
      std::span<const char>(artifacts.object.data(), artifacts.object.size()), artifacts.plan));
}

}  // namespace sentinel::testing
