#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "compiler/backend/build.h"
#include "compiler/backend/bundle_format.h"
#include "compiler/backend/map_image.h"
#include "tests/support/test_policy.h"

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
}

TEST_CASE("bundles are deterministic and self-consistent", "[build]") {
  auto pol = testing::sample_policy();
  backend::BuildOptions opts;
  opts.revision = "0123456789abcdef0123456789abcdef01234567";
  std::string err;
  auto a = backend::build_bundle(pol, opts, &err);
  REQUIRE(a.has_value());
  auto b = backend::build_bundle(pol, opts, &err);
  REQUIRE(b.has_value());
  CHECK(*a == *b);

  auto parts = bundle::read_bundle(*a, &err);
  REQUIRE(parts.has_value());
  REQUIRE(bundle::verify_manifest(*parts, &err));
  for (const char* p : {"firewall/program.o", "firewall/config.img", "firewall/tuples.img", "firewall/policy.pir",
                        "firewall/keys.img", "firewall/rules.img"})
    CHECK(parts->count(p) == 1);

  auto m = nlohmann::json::parse(parts->at("manifest.json"));
  CHECK(m["policy"]["revision"] == *opts.revision);
  CHECK(m["policy"]["dirty"] == false);
  CHECK(m["compiler"].get<std::string>().rfind("sentinelc ", 0) == 0);
  const auto& fw = m["domains"]["firewall"];
  CHECK(fw["rules"] == testing::fw(pol).rules.size());
  CHECK(fw["maps"][SN_FW_MAP_KEYS] == "firewall/keys.img");
  CHECK(fw["program_defines"] == nlohmann::json::array({"SN_FW_IPV6"}));

  auto arts = backend::compile_firewall(pol);
  auto cfg = bundle::read_image(parts->at("firewall/config.img"), &err);
  REQUIRE(cfg.has_value());
  CHECK(cfg->records[0].second == bundle::bytes_of(arts.plan.config));
  auto keys = bundle::read_image(parts->at("firewall/keys.img"), &err);
  REQUIRE(keys.has_value());
  CHECK(keys->records.size() == arts.plan.entries.size());
  CHECK(parts->at("firewall/program.o") == arts.object);
  std::string perr;
  auto reparsed = pir::parse(parts->at("firewall/policy.pir"), &perr);
  INFO(perr);
  REQUIRE(reparsed.has_value());
  CHECK(pir::print(*reparsed) == parts->at("firewall/policy.pir"));
  CHECK(testing::fw(*reparsed).rules.size() == testing::fw(pol).rules.size());

  // Changing a rule's port changes maps, not the program.
  auto pol2 = pol;
  testing::fw(pol2).rules[0].match.dport.ranges = {{2222, 2222}};
  auto c = backend::build_bundle(pol2, opts, &err);
  REQUIRE(c.has_value());
  auto parts2 = *bundle::read_bundle(*c, &err);
  CHECK(parts2.at("firewall/program.o") == parts->at("firewall/program.o"));
  CHECK(parts2.at("firewall/keys.img") != parts->at("firewall/keys.img"));

  // A flipped byte anywhere in a part is caught with the part's name.
  std::string flipped = *a;
  auto pos = flipped.find("firewall/rules.img");
  REQUIRE(pos != std::string::npos);
  flipped[pos + std::string("firewall/rules.img").size() + 8 + 40] ^= 1;
  auto fp = bundle::read_bundle(flipped, &err);
  REQUIRE(fp.has_value());
  CHECK_FALSE(bundle::verify_manifest(*fp, &err));
  CHECK(err == "part firewall/rules.img: sha256 mismatch");
}

TEST_CASE("lowering limits surface as build errors", "[build]") {
  pir::Policy pol;
  testing::fw(pol);
  for (unsigned s = 0; s <= 32; ++s)
    for (unsigned d = 0; d <= 32; ++d) {
      pir::FirewallRule r;
      r.id = "r" + std::to_string(s) + "_" + std::to_string(d);
      r.match.src.any = r.match.dst.any = false;
      r.match.src.cidrs = {pir::Cidr{pir::Addr{}, static_cast<uint8_t>(s)}};
      r.match.dst.cidrs = {pir::Cidr{pir::Addr{}, static_cast<uint8_t>(d)}};
      testing::fw(pol).rules.push_back(r);
    }
  std::string err;
  CHECK_FALSE(backend::build_bundle(pol, {}, &err).has_value());
  CHECK(err.find("distinct match shapes") != std::string::npos);
}
