// The bundle builder: PIR -> plan -> BPF object + map images + manifest.
#pragma once
#include <optional>
#include <string>

#include "compiler/dplan/firewall_plan.h"
#include "compiler/pir/pir.h"

namespace sentinel::backend {

struct BuildOptions {
  std::optional<std::string> revision;  // git HEAD of the policy's repository
  bool dirty = false;                   // uncommitted changes under the policy paths
};

struct FirewallArtifacts {
  std::string object;  // the specialized XDP program, ELF with BTF
  dplan::FirewallPlan plan;
};

// Throws lower::LowerError or BpfCompileError.
FirewallArtifacts compile_firewall(const pir::Policy& policy);

// The bundle bytes, or nullopt with `error` set. `policy_error` tells a
// policy the ABI cannot hold (a lowering limit: the user's to fix) from a
// failure of the compiler itself (BPF compile). Same input: same bytes.
std::optional<std::string> build_bundle(const pir::Policy& policy, const BuildOptions& options,
                                        std::string* error, bool* policy_error = nullptr);

// "sentinelc 0.1.0 (LLVM 19.1.7)"
std::string compiler_id();

}  // namespace sentinel::backend
