#include <catch2/catch.hpp>

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
