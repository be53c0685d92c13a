// Map images as they travel in a bundle: an sn_image_header followed by
// `count` records of key_size + value_size bytes. Parsed once, checked
// against the ABI, then handed to batch updates as two flat arrays.
#pragma once
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

extern "C" {
#include "sentinel/abi/common.h"
}

namespace sentinel::enforcer::core {

struct MapImage {
  uint32_t kind = 0;  // enum sn_image_kind
  uint32_t key_size = 0;
  uint32_t value_size = 0;
  uint32_t count = 0;
  std::vector<uint8_t> keys;    // count * key_size
  std::vector<uint8_t> values;  // count * value_size

  const uint8_t* value_at(uint32_t i) const { return values.data() + size_t(i) * value_size; }
};

// Checks magic, ABI version and that the records fill the rest exactly.
// `part` names the image in errors ("firewall/recs.img").
std::optional<MapImage> parse_image(std::string_view bytes, std::string_view part,
                                    std::string* error);

// Builds an image from records (used when loading straight from a plan).
template <typename K, typename V>
MapImage make_image(uint32_t kind, const std::vector<std::pair<K, V>>& records);

template <typename V>
MapImage make_array_image(const std::vector<V>& values) {
  MapImage m;
  m.kind = SN_IMAGE_ARRAY;
  m.key_size = 4;
  m.value_size = sizeof(V);
  m.count = static_cast<uint32_t>(values.size());
  m.keys.resize(size_t(m.count) * 4);
  m.values.resize(size_t(m.count) * sizeof(V));
  for (uint32_t i = 0; i < m.count; ++i) {
    std::memcpy(m.keys.data() + size_t(i) * 4, &i, 4);
    std::memcpy(m.values.data() + size_t(i) * sizeof(V), &values[i], sizeof(V));
  }
  return m;
}

template <typename K, typename V>
MapImage make_image(uint32_t kind, const std::vector<std::pair<K, V>>& records) {
  MapImage m;
  m.kind = kind;
  m.key_size = sizeof(K);
  m.value_size = sizeof(V);
  m.count = static_cast<uint32_t>(records.size());
  m.keys.resize(size_t(m.count) * sizeof(K));
  m.values.resize(size_t(m.count) * sizeof(V));
  for (uint32_t i = 0; i < m.count; ++i) {
    std::memcpy(m.keys.data() + size_t(i) * sizeof(K), &records[i].first, sizeof(K));
    std::memcpy(m.values.data() + size_t(i) * sizeof(V), &records[i].second, sizeof(V));
  }
  return m;
}

}  // namespace sentinel::enforcer::core
