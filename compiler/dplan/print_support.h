// Pieces of plan printing that every domain's print() uses.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace sentinel::dplan::detail {

std::string defines_line(const std::vector<std::string>& defines);  // "defines: A B\n"
std::string slot_text(uint32_t slot);                                // a chain slot, or "none"

}  // namespace sentinel::dplan::detail
