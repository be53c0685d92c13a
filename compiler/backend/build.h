// The bundle builder: PIR -> bundle plan (bundle_plan.h) -> BPF objects of
// exactly the variants the plan names (carried in sentinelc, or compiled in
// process: objects.h) -> the container with its manifest, and optionally a
// signature.
#pragma once
#include <map>
#include <optional>
#include <string>

#include "compiler/backend/bundle_plan.h"
#include "compiler/backend/objects.h"
#include "compiler/pir/pir.h"

namespace sentinel::backend {

struct BuildOptions {
  std::optional<std::string> revision;  // git HEAD of the policy's repository
  bool dirty = false;                   // uncommitted changes under the policy paths
  std::string sign_key;                 // an Ed25519 private key (PEM) to sign with, or empty
  bool precompiled = true;              // use the objects sentinelc carries (objects.h); false: compile all
};

// A bundle's contents before they are written: the plan and the compiled
// objects (part name -> ELF). What tests and benches load without a file.
struct Artifacts {
  BundlePlan plan;
  std::map<std::string, std::string> objects;
  ObjectSourceStats sources;  // how many objects were carried, how many compiled
};

// Objects come from those sentinelc carries when it has the variant and
// `precompiled` is true, compiled otherwise: the same bytes either way.
// Throws lower::LowerError or BpfCompileError.
Artifacts compile_artifacts(const pir::Policy& policy, bool precompiled = true);

// The bundle bytes, or nullopt with `error` set. `policy_error` tells a
// policy the ABI cannot hold (a lowering limit: the user's to fix) from a
// failure of the compiler itself (BPF compile, signing). Same input, same
// bytes (Ed25519 signatures are deterministic too).
std::optional<std::string> build_bundle(const pir::Policy& policy, const BuildOptions& options,
                                        std::string* error, bool* policy_error = nullptr);

// "sentinelc 0.2.0 (LLVM 19.1.7)"
std::string compiler_id();

}  // namespace sentinel::backend
