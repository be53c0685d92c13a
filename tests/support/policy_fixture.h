// A policy directory compiled through the real pipeline, ready for the
// reference evaluator and, when privileged, loaded into the kernel as one
// generation (every program and map of its bundle, nothing attached).
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "compiler/backend/build.h"
#include "compiler/pir/pir.h"
#include "enforcer/core/bundle.h"
#include "enforcer/core/test_harness.h"

namespace sentinel::testing {

struct PolicyFixture {
  pir::Policy policy;
  backend::Artifacts artifacts;
  std::optional<enforcer::core::GenerationHarness> kernel;  // set by load_kernel()

  // Runs the front end and the back end; on diagnostics with errors, prints
  // them and returns nullptr.
  static std::unique_ptr<PolicyFixture> compile(const std::string& policy_dir);
  // The same from policy text (one file).
  static std::unique_ptr<PolicyFixture> compile_text(const std::string& text);
  enforcer::core::Bundle bundle() const;
  // Loads the bundle; when its rules name interfaces, first moves the
  // process into a network namespace of its own that has them (veth pairs).
  void load_kernel();
};

}  // namespace sentinel::testing
