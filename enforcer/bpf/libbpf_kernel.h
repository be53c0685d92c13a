// The Kernel interface on libbpf and the bpf() syscall.
#pragma once
#include <memory>

#include "enforcer/bpf/kernel.h"

namespace sentinel::enforcer::bpf {

std::unique_ptr<Kernel> make_libbpf_kernel();

}  // namespace sentinel::enforcer::bpf
