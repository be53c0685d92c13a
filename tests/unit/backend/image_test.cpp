#include <catch2/catch.hpp>
#include <algorithm>

#include "compiler/backend/map_image.h"

extern "C" {
#include "sentinel/abi/firewall.h"
}

using namespace sentinel;

TEST_CASE("map images round-trip and are validated", "[image]") {
  std::vector<sn_fw_rule> rules(300);
  for (uint32_t i = 0; i < rules.size(); ++i) rules[i] = {i * 7ull, i % 3, 0};
  std::string img = bundle::write_array_image(rules);
  std::string err;
  auto back = bundle::read_image(img, &err);
  REQUIRE(back.has_value());
  CHECK(back->kind == SN_IMAGE_ARRAY);
  CHECK(back->records.size() == 300);
  for (size_t i = 1; i < back->records.size(); ++i) CHECK(back->records[i - 1].first < back->records[i].first);
  for (const auto& [k, v] : back->records) {
    auto idx = bundle::value_as<uint32_t>(k);
    CHECK(bundle::value_as<sn_fw_rule>(v).counter_key == idx * 7ull);
  }
  CHECK_FALSE(bundle::read_image(img.substr(0, img.size() - 1), &err));
  CHECK(err.find("does not match its header") != std::string::npos);
  std::string bad = img;
  bad[4] = 9;  // abi_version
  CHECK_FALSE(bundle::read_image(bad, &err));
  CHECK(err.find("ABI version 9") != std::string::npos);
  CHECK_THROWS(bundle::write_image({SN_IMAGE_HASH, 4, 4, {{"abcd", "1234"}, {"abcd", "5678"}}}));
  CHECK_THROWS(bundle::write_image({SN_IMAGE_HASH, 4, 4, {{"abc", "1234"}}}));
  // Records come out sorted by key bytes whatever order they went in.
  auto two = bundle::read_image(bundle::write_image({SN_IMAGE_HASH, 4, 4, {{"zzzz", "1111"}, {"aaaa", "2222"}}}), &err);
  REQUIRE(two.has_value());
  CHECK(two->records[0].first == "aaaa");
}

namespace {

// The image format stated plainly: records sorted by key bytes as strings.
std::string reference_image(uint32_t kind, uint32_t key_size, uint32_t value_size,
                            std::vector<std::pair<std::string, std::string>> records) {
  std::sort(records.begin(), records.end());
  sn_image_header h{};
  h.magic = SN_IMAGE_MAGIC;
  h.abi_version = SN_ABI_VERSION;
  h.kind = kind;
  h.key_size = key_size;
  h.value_size = value_size;
  h.count = static_cast<uint32_t>(records.size());
  std::string out = bundle::bytes_of(h);
  for (const auto& [k, v] : records) out += k + v;
  return out;
}

}  // namespace

TEST_CASE("array and hash images are the records sorted by key bytes", "[image]") {
  // Sizes across the byte boundaries of little-endian keys (256, 65536).
  for (uint32_t n : {0u, 1u, 2u, 255u, 256u, 257u, 1000u, 65537u, 70001u}) {
    INFO(n);
    std::vector<uint64_t> values(n);
    std::vector<std::pair<std::string, std::string>> records;
    for (uint32_t i = 0; i < n; ++i) {
      values[i] = uint64_t(i) * 0x9e3779b97f4a7c15ull;
      records.emplace_back(bundle::bytes_of(i), bundle::bytes_of(values[i]));
    }
    const std::string want = reference_image(SN_IMAGE_ARRAY, 4, 8, records);
    CHECK(bundle::write_array_image(values) == want);
    CHECK(bundle::write_image({SN_IMAGE_ARRAY, 4, 8, records}) == want);
    auto back = bundle::read_image(want, nullptr);
    REQUIRE(back);
    CHECK(back->records.size() == n);
  }
  // A hash image: keys in no order, one byte value, records given shuffled.
  std::vector<std::pair<std::string, std::string>> records;
  for (uint32_t i = 0; i < 5000; ++i) {
    uint32_t k = i * 2654435761u;
    records.emplace_back(bundle::bytes_of(k) + bundle::bytes_of(~k), std::string(1, char(i)));
  }
  CHECK(bundle::write_image({SN_IMAGE_HASH, 8, 1, records}) == reference_image(SN_IMAGE_HASH, 8, 1, records));
  records.push_back(records[17]);
  CHECK_THROWS_WITH(bundle::write_image({SN_IMAGE_HASH, 8, 1, records}), Catch::Contains("duplicate key"));
}
