// Map images: how a bundle carries the contents of one BPF map (or one
// .rodata blob). sn_image_header, then `count` records of key + value bytes,
// sorted by key bytes (sentinel/abi/common.h). Part of sn_bundle, so the
// enforcer reads them without LLVM.
#pragma once
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

extern "C" {
#include "sentinel/abi/common.h"
}

namespace sentinel::bundle {

struct MapImage {
  uint32_t kind = SN_IMAGE_HASH;  // enum sn_image_kind
  uint32_t key_size = 0;
  uint32_t value_size = 0;
  std::vector<std::pair<std::string, std::string>> records;  // (key, value) bytes
};

// Sorts records by key bytes; throws std::invalid_argument on a record of the
// wrong size or a duplicate key.
std::string write_image(MapImage image);

// Validates magic, ABI version, kind, sizes, ordering and uniqueness.
std::optional<MapImage> read_image(std::string_view bytes, std::string* error);

const char* image_kind_name(uint32_t kind);  // "rodata", "array", "hash" or "?"

template <typename T>
std::string bytes_of(const T& v) {
  return std::string(reinterpret_cast<const char*>(&v), sizeof v);
}

// An ARRAY image of `count` values of `value_size` bytes each, keys
// 0..count-1: the bytes write_image gives for the same records, without
// making a record of each.
std::string write_array_records(const void* values, uint32_t value_size, uint32_t count);

// An ARRAY image with keys 0..n-1.
template <typename T>
std::string write_array_image(const std::vector<T>& values) {
  static_assert(std::is_trivially_copyable_v<T>);
  return write_array_records(values.data(), sizeof(T), static_cast<uint32_t>(values.size()));
}

template <typename T>
std::string write_rodata_image(const T& value) {
  return write_image(MapImage{SN_IMAGE_RODATA, 0, sizeof(T), {{std::string(), bytes_of(value)}}});
}

template <typename T>
T value_as(const std::string& bytes) {
  T v{};
  std::memcpy(&v, bytes.data(), std::min(bytes.size(), sizeof v));
  return v;
}

}  // namespace sentinel::bundle
