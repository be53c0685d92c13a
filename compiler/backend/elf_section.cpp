#include "compiler/backend/elf_section.h"

#include <cstdint>
#include <cstring>

namespace sentinel::bundle {

namespace {

template <class T>
bool read(std::string_view b, uint64_t off, T& out) {
  if (off > b.size() || b.size() - off < sizeof(T)) return false;
  std::memcpy(&out, b.data() + off, sizeof(T));
  return true;
}

}  // namespace

std::optional<std::string_view> elf_section(std::string_view elf, std::string_view name) {
  // e_ident: 0x7f 'E' 'L' 'F', class 2 (64-bit), data 1 (little-endian).
  if (elf.size() < 64 || elf.substr(0, 4) != "\x7f" "ELF" || elf[4] != 2 || elf[5] != 1) return std::nullopt;
  uint64_t shoff = 0;
  uint16_t shentsize = 0, shnum = 0, shstrndx = 0;
  if (!read(elf, 0x28, shoff) || !read(elf, 0x3a, shentsize) || !read(elf, 0x3c, shnum) ||
      !read(elf, 0x3e, shstrndx) || shentsize < 64 || shstrndx >= shnum)
    return std::nullopt;
  auto header = [&](uint16_t i, uint32_t& name_off, uint64_t& off, uint64_t& size) {
    uint64_t h = shoff + uint64_t(i) * shentsize;
    return read(elf, h, name_off) && read(elf, h + 0x18, off) && read(elf, h + 0x20, size) && off <= elf.size() &&
           size <= elf.size() - off;
  };
  uint32_t n;
  uint64_t str_off, str_size;
  if (!header(shstrndx, n, str_off, str_size)) return std::nullopt;
  std::string_view strtab = elf.substr(str_off, str_size);
  for (uint16_t i = 0; i < shnum; ++i) {
    uint64_t off, size;
    if (!header(i, n, off, size) || n >= strtab.size()) continue;
    std::string_view sname = strtab.substr(n);
    sname = sname.substr(0, sname.find('\0'));
    if (sname == name) return elf.substr(off, size);
  }
  return std::nullopt;
}

}  // namespace sentinel::bundle
