#include <catch2/catch.hpp>
#include <cstring>

#include "enforcer/core/map_image.h"

extern "C" {
#include "sentinel/abi/firewall.h"
}

using namespace sentinel::enforcer::core;

namespace {
std::string image_bytes(sn_image_header h, const std::string& body) {
  std::string s(sizeof h, '\0');
  std::memcpy(s.data(), &h, sizeof h);
  return s + body;
}
}  // namespace

TEST_CASE("map images parse and are checked against the ABI", "[map_image]") {
  sn_image_header h{SN_IMAGE_MAGIC, SN_ABI_VERSION, SN_IMAGE_ARRAY, 4, 2, 2, 0};
  std::string body = std::string("\0\0\0\0ab\1\0\0\0cd", 12);
  std::string err;
  auto img = parse_image(image_bytes(h, body), "x.img", &err);
  REQUIRE(img);
  CHECK(img->count == 2);
  CHECK(std::string(reinterpret_cast<const char*>(img->value_at(1)), 2) == "cd");

  CHECK_FALSE(parse_image(image_bytes(h, body.substr(0, 11)), "x.img", &err));
  CHECK(err.find("x.img") != std::string::npos);
  h.abi_version = SN_ABI_VERSION + 1;
  CHECK_FALSE(parse_image(image_bytes(h, body), "x.img", &err));
  CHECK(err.find("abi version") != std::string::npos);
  h.abi_version = SN_ABI_VERSION;
  h.magic = 0;
  CHECK_FALSE(parse_image(image_bytes(h, body), "x.img", &err));
  CHECK_FALSE(parse_image("short", "x.img", &err));
}

TEST_CASE("images built from records round-trip", "[map_image]") {
  std::vector<sn_fw_rule> rules{{1, 0, 0}, {2, 1, 0}};
  MapImage m = make_array_image(rules);
  CHECK(m.count == 2);
  uint32_t idx;
  std::memcpy(&idx, m.keys.data() + 4, 4);
  CHECK(idx == 1);
  sn_fw_rule r;
  std::memcpy(&r, m.value_at(1), sizeof r);
  CHECK(r.counter_key == 2);
}
