// verify_bundle: every part agrees with the others, or the bundle is
// refused with a message that says which part and why. Most tampering here
// recomputes the manifest's sizes and hashes, as an attacker (or a broken
// tool) would, so that only the cross-checks against policy.pir catch it.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "compiler/backend/build.h"
#include "compiler/backend/bundle_format.h"
#include "compiler/backend/map_image.h"
#include "compiler/backend/verify.h"
#include "tests/support/test_policy.h"

extern "C" {
#include "sentinel/abi/firewall.h"
}

using namespace sentinel;
using nlohmann::json;
using Parts = std::map<std::string, std::string>;

namespace {

std::string build(const pir::Policy& p) {
  std::string err;
  auto b = backend::build_bundle(p, {}, &err);
  INFO(err);
  REQUIRE(b.has_value());
  return *b;
}

Parts parts_of(const std::string& bytes) {
  std::string err;
  auto p = bundle::read_bundle(bytes, &err);
  REQUIRE(p.has_value());
  return *p;
}

// The bundle with its manifest's part list made to match the parts again.
std::string rebundle(Parts parts) {
  json m = json::parse(parts.at("manifest.json"));
  json listed = json::object();
  for (const auto& [name, bytes] : parts)
    if (name != "manifest.json" && name != "signature.json")
      listed[name] = {{"size", bytes.size()}, {"sha256", bundle::sha256_hex(bytes)}};
  m["parts"] = listed;
  parts["manifest.json"] = m.dump(2) + "\n";
  return bundle::write_bundle(parts);
}

std::string refusal(const std::string& bytes) {
  try {
    bundle::verify_bundle(bytes);
  } catch (const bundle::VerifyError& e) {
    return e.what();
  }
  FAIL("the bundle was accepted");
  return {};
}

// An IPv6 policy (the sample) and an IPv4-only one.
pir::Policy v4_policy() {
  pir::Policy p;
  testing::fw(p).default_action = pir::FirewallAction::Deny;
  auto r = testing::rule("lan", pir::FirewallAction::Allow);
  r.match.src = testing::addrs({"10.0.0.0/8"});
  testing::fw(p).rules = {r};
  return p;
}

}  // namespace

TEST_CASE("a bundle as built verifies", "[verify]") {
  auto pol = testing::sample_policy();
  std::string bytes = build(pol);
  auto v = bundle::verify_bundle(bytes);
  CHECK(v.sha256 == bundle::sha256_hex(bytes));
  CHECK(pir::print(v.policy) == pir::print(pol));
  CHECK(v.objects.size() == 1);
  CHECK(v.objects.count("firewall/program.o") == 1);
  CHECK_FALSE(v.signed_by.has_value());
  CHECK_FALSE(v.signature_verified);
  CHECK(v.plan.map(SN_FW_MAP_RECS) != nullptr);
  // Re-listing an untouched bundle changes nothing.
  CHECK_NOTHROW(bundle::verify_bundle(rebundle(parts_of(bytes))));
}

TEST_CASE("verify_bundle refuses tampered bundles, saying where", "[verify]") {
  auto pol = testing::sample_policy();
  std::string bytes = build(pol);
  Parts parts = parts_of(bytes);

  SECTION("a flipped byte, caught by the part's hash") {
    std::string flipped = bytes;
    size_t at = flipped.find("firewall/rules.img");
    REQUIRE(at != std::string::npos);
    flipped[at + std::string("firewall/rules.img").size() + 8 + 20] ^= 1;
    CHECK(refusal(flipped) ==
          "manifest check (part sizes, sha256, versions) failed: part firewall/rules.img: sha256 mismatch");
  }
  SECTION("an object from another bundle") {
    // The IPv4-only object is a valid Sentinel object, just not the variant
    // this IPv6 policy needs.
    parts["firewall/program.o"] = parts_of(build(v4_policy())).at("firewall/program.o");
    CHECK(refusal(rebundle(parts)) ==
          "part firewall/program.o is the variant xdp_firewall:, the policy needs xdp_firewall:SN_FW_IPV6");
  }
  SECTION("something that is not a Sentinel object") {
    parts["firewall/program.o"] = "\x7f" "ELF not really";
    CHECK(refusal(rebundle(parts)) == "part firewall/program.o is not a Sentinel BPF object (no variant marker)");
  }
  SECTION("another policy.pir with the same layout") {
    // Same shapes, other data: the manifest's layout still fits, the images do not.
    auto other = pol;
    testing::fw(other).rules[0].match.dport.ranges = {{2222, 2222}};
    parts["policy.pir"] = pir::print(other);
    std::string why = refusal(rebundle(parts));
    CHECK(why.find("does not match the bundle's policy (policy.pir)") != std::string::npos);
    CHECK(why.find("part firewall/") == 0);
  }
  SECTION("another policy.pir with another layout") {
    parts["policy.pir"] = pir::print(v4_policy());
    std::string why = refusal(rebundle(parts));
    CHECK(why.find("the manifest does not describe the bundle's policy: layout/") == 0);
  }
  SECTION("a key image from another policy") {
    auto other = pol;
    testing::fw(other).rules[0].match.dport.ranges = {{2222, 2222}};
    parts["firewall/recs.img"] = parts_of(build(other)).at("firewall/recs.img");
    CHECK(refusal(rebundle(parts)) == "part firewall/recs.img does not match the bundle's policy (policy.pir)");
  }
  SECTION("a rule action 0xdead") {
    std::string err;
    auto img = bundle::read_image(parts.at("firewall/rules.img"), &err);
    REQUIRE(img.has_value());
    auto rule = bundle::value_as<sn_fw_rule>(img->records[0].second);
    rule.action = 0xdead;
    img->records[0].second = bundle::bytes_of(rule);
    parts["firewall/rules.img"] = bundle::write_image(*img);
    CHECK(refusal(rebundle(parts)) == "part firewall/rules.img does not match the bundle's policy (policy.pir)");
  }
  SECTION("a map in the layout made bigger") {
    json m = json::parse(parts.at("manifest.json"));
    for (auto& mp : m["layout"]["maps"])
      if (mp["name"] == SN_FW_MAP_RULES) mp["max_entries"] = 100000;
    parts["manifest.json"] = m.dump(2);
    std::string why = refusal(rebundle(parts));
    CHECK(why.find("the manifest does not describe the bundle's policy: layout/maps/") == 0);
    CHECK(why.find("/max_entries: the policy gives 6, the manifest 100000") != std::string::npos);
  }
  SECTION("an unknown part") {
    parts["firewall/extra.img"] = "extra";
    CHECK(refusal(rebundle(parts)) == "part firewall/extra.img is not part of the bundle's policy");
  }
  SECTION("an unlisted part") {
    parts["firewall/extra.img"] = "extra";
    CHECK(refusal(bundle::write_bundle(parts)).find(
              "part firewall/extra.img: present in the bundle but not in the manifest") != std::string::npos);
  }
  SECTION("a missing part") {
    parts.erase("firewall/nodes.img");
    CHECK(refusal(rebundle(parts)) == "part firewall/nodes.img is missing");
  }
  SECTION("no policy") {
    parts.erase("policy.pir");
    CHECK(refusal(rebundle(parts)) == "bundle has no policy.pir");
  }
  SECTION("a policy.pir that does not parse") {
    parts["policy.pir"] = "this is not pir\n";
    CHECK(refusal(rebundle(parts)).find("part policy.pir does not parse: ") == 0);
  }
  SECTION("a version 1 bundle") {
    json m = json::parse(parts.at("manifest.json"));
    m["format_version"] = 1;
    parts["manifest.json"] = m.dump(2);
    std::string why = refusal(rebundle(parts));
    CHECK(why.find("format version 1") != std::string::npos);
    CHECK(why.find("rebuild it from the policy with `sentinelc build POLICY -o BUNDLE.snb`") != std::string::npos);
  }
  SECTION("not a bundle at all") {
    CHECK(refusal("hello").find("not a valid bundle: not a sentinel bundle (bad magic)") == 0);
  }
}
