// In-process C -> BPF compilation through clang's C++ API (LLVM 19). The
// template and ABI headers come from the binary (embedded_files.h), served
// under a fixed virtual root; kernel and libbpf headers come from the host.
// Output is an ELF object with BTF, byte-identical for identical inputs.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace sentinel::backend {

struct BpfCompileError : std::runtime_error {
  using std::runtime_error::runtime_error;  // what(): clang's diagnostics
};

// `template_path` is relative to bpf-templates/; `defines` become -D flags
// ("NAME" or "NAME=VALUE"). Throws BpfCompileError.
std::string compile_bpf(const std::string& template_path, const std::vector<std::string>& defines);

// "19.1.7": the LLVM that compiles the programs, for the manifest.
std::string llvm_version();

}  // namespace sentinel::backend
