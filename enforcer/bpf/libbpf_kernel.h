// The Kernel interface on libbpf and the bpf() syscall.
#pragma once
#include <memory>

#include "enforcer/bpf/kernel.h"

namespace sentinel::enforcer::bpf {

std::unique_ptr<Kernel> make_libbpf_kernel();

// What an ELF object declares, read by libbpf without touching the kernel
// (the fake kernel uses it too).
ObjectInfo inspect_object(std::span<const uint8_t> elf, const std::string& what);

}  // namespace sentinel::enforcer::bpf
