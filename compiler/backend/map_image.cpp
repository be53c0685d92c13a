#include "compiler/backend/map_image.h"

#include <algorithm>
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

std::string write_image(MapImage image) {
  for (const auto& [k, v] : image.records)
    if (k.size() != image.key_size || v.size() != image.value_size)
      throw std::invalid_argument("map image record does not match the image's key/value size");
  std::sort(image.records.begin(), image.records.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 1; i < image.records.size(); ++i)
    if (image.records[i].first == image.records[i - 1].first)
      throw std::invalid_argument("map image has a duplicate key");
  sn_image_header h{};
  h.magic = SN_IMAGE_MAGIC;
  h.abi_version = SN_ABI_VERSION;
  h.kind = image.kind;
  h.key_size = image.key_size;
  h.value_size = image.value_size;
  h.count = static_cast<uint32_t>(image.records.size());
  std::string out = bytes_of(h);
  out.reserve(out.size() + image.records.size() * (image.key_size + image.value_size));
  for (const auto& [k, v] : image.records) {
    out += k;
    out += v;
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
