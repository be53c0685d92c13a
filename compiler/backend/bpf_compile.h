// In-process C -> BPF compilation through clang's C++ API (LLVM 19), in the
// module libsn_bpf_clang.so, loaded on first use (bpf_clang_api.h). The
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
// ("NAME" or "NAME=VALUE"). Throws BpfCompileError, also when the module
// cannot be loaded.
std::string compile_bpf(const std::string& template_path, const std::vector<std::string>& defines);

// One variant of a template: its defines plus the variant marker
// (-DSN_VARIANT="xdp_firewall:SN_FW_CT,SN_FW_IPV6", read back from
// .rodata.snvariant by the verifier). Every bundle object is made by this,
// at sentinelc's build time (objects.h) or when a build needs it.
std::string compile_variant(const std::string& templ, const std::vector<std::string>& defines);

// "19.1.7": the LLVM that compiles the programs, for the manifest (known
// without loading the module, which must be of the same LLVM).
std::string llvm_version();

}  // namespace sentinel::backend
