// Where a bundle's BPF objects come from. An object is a function of its
// template and its variant switches only (policy data goes into maps and
// .rodata.sncfg), so sentinelc compiles every variant the domains declare
// (plan_context.h, DomainBackend::variants) when it is itself built, from
// the same embedded templates, and carries the objects in the binary
// (precompile_main.cpp writes them). A build then compiles only a variant
// it does not carry. Both ways give the same bytes: compile_bpf is
// deterministic, and tests/unit/backend compiles every carried variant
// again and compares.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/backend/bpf_compile.h"

namespace sentinel::backend {

// One object carried in the binary.
struct PrecompiledObject {
  std::string_view templ;
  std::string_view defines;  // sorted, comma-separated, as variant_string writes them
  std::string_view bytes;
};

// Every carried object, sorted by template and defines (generated at build
// time; empty when sentinelc was configured with SN_PRECOMPILE_OBJECTS=OFF).
const std::vector<PrecompiledObject>& precompiled_objects();

// The carried object of a variant, if there is one.
std::optional<std::string_view> precompiled_object(const std::string& templ, const std::vector<std::string>& defines);

// How object_for found an object (counts for tests and benches).
struct ObjectSourceStats {
  unsigned precompiled = 0, compiled = 0;
};

// The object of a variant: the carried one unless `allow_precompiled` is
// false or there is none, compiled otherwise.
std::string object_for(const std::string& templ, const std::vector<std::string>& defines, bool allow_precompiled = true,
                       ObjectSourceStats* stats = nullptr);

}  // namespace sentinel::backend
