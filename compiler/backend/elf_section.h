// The bytes of one named section of an ELF64 little-endian object, read
// with bounds checks and nothing else: how the verifier reads the variant a
// BPF object was compiled as (.rodata.snvariant) without libbpf.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace sentinel::bundle {

// nullopt when the bytes are not such an object or have no such section.
std::optional<std::string_view> elf_section(std::string_view elf, std::string_view name);

}  // namespace sentinel::bundle
