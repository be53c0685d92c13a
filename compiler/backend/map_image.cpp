#include "compiler/backend/map_image.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace sentinel::bundle {

const char* image_kind_name(uint32_t kind) {
  switch (kind) {
    case SN_IMAGE_RODATA: return "rodata";
    case SN_IMAGE_ARRAY: return "array";
    case SN_IMAGE_HASH: return "hash";
  }
  return "?";
}

namespace {

std::string header_bytes(uint32_t kind, uint32_t key_size, uint32_t value_size, size_t count) {
  sn_image_header h{};
  h.magic = SN_IMAGE_MAGIC;
  h.abi_version = SN_ABI_VERSION;
  h.kind = kind;
  h.key_size = key_size;
  h.value_size = value_size;
  h.count = static_cast<uint32_t>(count);
  return bytes_of(h);
}

}  // namespace

std::string write_image(MapImage image) {
  for (const auto& [k, v] : image.records)
    if (k.size() != image.key_size || v.size() != image.value_size)
      throw std::invalid_argument("map image record does not match the image's key/value size");
  // Sorted through an index: moving the records themselves (two strings
  // each) cost more than the comparisons on images of 100,000 records.
  const auto& r = image.records;
  std::vector<uint32_t> order(r.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return r[a].first < r[b].first; });
  for (size_t i = 1; i < order.size(); ++i)
    if (r[order[i]].first == r[order[i - 1]].first) throw std::invalid_argument("map image has a duplicate key");
  std::string out = header_bytes(image.kind, image.key_size, image.value_size, r.size());
  out.reserve(out.size() + r.size() * (image.key_size + image.value_size));
  for (uint32_t i : order) {
    out += r[i].first;
    out += r[i].second;
  }
  return out;
}

std::string write_array_records(const void* values, uint32_t value_size, uint32_t count) {
  // Keys 0..count-1 as 4 bytes each, in the order of their bytes like every
  // image (for little-endian keys that is not numeric order).
  // Each key's bytes read as a big-endian number compare as the bytes do.
  std::vector<std::pair<uint32_t, uint32_t>> order(count);  // (byte-order rank, index)
  for (uint32_t i = 0; i < count; ++i) {
    unsigned char b[4];
    std::memcpy(b, &i, 4);
    order[i] = {uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3], i};
  }
  std::sort(order.begin(), order.end());
  std::string out = header_bytes(SN_IMAGE_ARRAY, 4, value_size, count);
  const size_t head = out.size();
  out.resize(head + size_t(count) * (4 + value_size));
  char* p = out.data() + head;
  for (auto [rank, i] : order) {
    std::memcpy(p, &i, 4);
    std::memcpy(p + 4, static_cast<const char*>(values) + size_t(i) * value_size, value_size);
    p += 4 + value_size;
  }
  return out;
}

std::optional<MapImage> read_image(std::string_view bytes, std::string* error) {
  auto fail = [&](std::string m) -> std::optional<MapImage> {
    if (error) *error = std::move(m);
    return std::nullopt;
  };
  if (bytes.size() < sizeof(sn_image_header)) return fail("map image truncated: no header");
  sn_image_header h;
  std::memcpy(&h, bytes.data(), sizeof h);
  if (h.magic != SN_IMAGE_MAGIC) return fail("not a map image (bad magic)");
  if (h.abi_version != SN_ABI_VERSION)
    return fail("map image ABI version " + std::to_string(h.abi_version) + ", expected " +
                std::to_string(SN_ABI_VERSION));
  if (h.kind < SN_IMAGE_RODATA || h.kind > SN_IMAGE_HASH)
    return fail("map image has unknown kind " + std::to_string(h.kind));
  if (h.kind == SN_IMAGE_RODATA && (h.key_size != 0 || h.count != 1))
    return fail("rodata image must hold exactly one record with an empty key");
  if (h.kind == SN_IMAGE_ARRAY && h.key_size != 4) return fail("array image key size must be 4");
  if (h.value_size == 0) return fail("map image value size is 0");
  const uint64_t rec = uint64_t(h.key_size) + h.value_size;
  const uint64_t want = sizeof h + rec * h.count;
  if (bytes.size() != want)
    return fail("map image size " + std::to_string(bytes.size()) + " does not match its header (" +
                std::to_string(want) + " bytes for " + std::to_string(h.count) + " records)");
  MapImage img{h.kind, h.key_size, h.value_size, {}};
  img.records.reserve(h.count);
  size_t off = sizeof h;
  for (uint32_t i = 0; i < h.count; ++i, off += rec) {
    std::string k(bytes.substr(off, h.key_size));
    if (i > 0 && !(img.records.back().first < k))
      return fail("map image record " + std::to_string(i) + " is out of order or duplicated");
    img.records.emplace_back(std::move(k), std::string(bytes.substr(off + h.key_size, h.value_size)));
  }
  return img;
}

}  // namespace sentinel::bundle
