#include "enforcer/core/map_image.h"

#include <cstring>

namespace sentinel::enforcer::core {

std::optional<MapImage> parse_image(std::string_view bytes, std::string_view part,
                                    std::string* error) {
  auto fail = [&](const std::string& what) -> std::optional<MapImage> {
    if (error) *error = "part " + std::string(part) + ": " + what;
    return std::nullopt;
  };
  sn_image_header h{};
  if (bytes.size() < sizeof h) return fail("shorter than the image header");
  std::memcpy(&h, bytes.data(), sizeof h);
  if (h.magic != SN_IMAGE_MAGIC) return fail("bad image magic");
  if (h.abi_version != SN_ABI_VERSION)
    return fail("abi version " + std::to_string(h.abi_version) + ", this enforcer speaks " +
                std::to_string(SN_ABI_VERSION));
  if (h.kind < SN_IMAGE_RODATA || h.kind > SN_IMAGE_HASH) return fail("unknown image kind");
  uint64_t rec = uint64_t(h.key_size) + h.value_size;
  uint64_t body = bytes.size() - sizeof h;
  // Divide rather than multiply: count * rec can exceed 64 bits in a forged header.
  if (rec == 0 || body % rec != 0 || body / rec != h.count)
    return fail("records do not fill the image (" + std::to_string(h.count) + " x " +
                std::to_string(rec) + " bytes expected, " + std::to_string(body) + " present)");
  if (h.kind == SN_IMAGE_ARRAY && h.key_size != 4) return fail("array image with key size != 4");
  MapImage m;
  m.kind = h.kind;
  m.key_size = h.key_size;
  m.value_size = h.value_size;
  m.count = h.count;
  m.keys.resize(size_t(h.count) * h.key_size);
  m.values.resize(size_t(h.count) * h.value_size);
  const char* p = bytes.data() + sizeof h;
  for (uint32_t i = 0; i < h.count; ++i) {
    // A rodata image has no key: its key vector is empty, and memcpy must
    // not see its null data pointer.
    if (h.key_size) std::memcpy(m.keys.data() + size_t(i) * h.key_size, p, h.key_size);
    p += h.key_size;
    if (h.value_size) std::memcpy(m.values.data() + size_t(i) * h.value_size, p, h.value_size);
    p += h.value_size;
  }
  return m;
}

}  // namespace sentinel::enforcer::core
