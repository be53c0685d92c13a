// The interface between sentinelc and its BPF compiler module
// (libsn_bpf_clang.so: bpf_compile.cpp with clang and LLVM). sentinelc
// loads the module only when it compiles, so a build whose objects are all
// carried (objects.h) never maps LLVM: the libraries cost more at process
// start than such a whole build does. Module and loader are built together
// from this header; `version` catches a stale module all the same.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/backend/embedded_files.h"

namespace sentinel::backend {

inline constexpr int kBpfClangApiVersion = 1;

struct BpfClangApi {
  int version;               // kBpfClangApiVersion
  const char* llvm_version;  // LLVM_VERSION_STRING of the module's LLVM
  // Compiles `template_path` (relative to the root the files are served
  // under) with `defines` as -D flags. True with *object set, or false with
  // *error set (clang's diagnostics).
  bool (*compile)(const std::vector<EmbeddedFile>& files, const std::string& template_path,
                  const std::vector<std::string>& defines, std::string* object, std::string* error);
};

}  // namespace sentinel::backend

// The module's one exported symbol.
extern "C" const sentinel::backend::BpfClangApi* sn_bpf_clang_api();
