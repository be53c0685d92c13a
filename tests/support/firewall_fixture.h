// A policy directory compiled through the real pipeline, ready for the
// reference evaluator and, when privileged, loaded into the kernel.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "compiler/backend/build.h"
#include "compiler/pir/pir.h"
#include "enforcer/core/test_harness.h"

namespace sentinel::testing {

struct FirewallFixture {
  pir::Policy policy;
  backend::FirewallArtifacts artifacts;
  std::optional<enforcer::core::FirewallHarness> kernel;  // set by load_kernel()

  // Runs the front end and the back end; on diagnostics with errors, prints
  // them and returns nullptr.
  static std::unique_ptr<FirewallFixture> compile(const std::string& policy_dir);
  void load_kernel();
};

}  // namespace sentinel::testing
