// Decoding of literal token text that needs no context.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace sentinel::parse {

// Decimal digits to a value; saturates at UINT64_MAX instead of wrapping so
// that a huge port is still reported as out of range.
uint64_t parse_decimal(std::string_view digits);

// A double-quoted string token to its value: \n, \t, \\ and \" are escapes;
// a backslash before any other character stands for that character.
std::string unquote(std::string_view token);

}  // namespace sentinel::parse
