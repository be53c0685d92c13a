#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "compiler/backend/bundle_format.h"

extern "C" {
#include "sentinel/abi/common.h"
}

using namespace sentinel::bundle;

namespace {

std::map<std::string, std::string> sample_parts(int abi = SN_ABI_VERSION) {
  std::map<std::string, std::string> parts = {
      {"firewall/keys.img", std::string("\x01\x02\x03\x00keys", 8)},
      {"firewall/program.o", "ELF..."},
  };
  nlohmann::json listed = nlohmann::json::object();
  for (const auto& [n, b] : parts) listed[n] = {{"size", b.size()}, {"sha256", sha256_hex(b)}};
  nlohmann::json m = {{"format", "sentinel-bundle"},
                      {"format_version", kFormatVersion},
                      {"abi_version", abi},
                      {"parts", listed}};
  parts["manifest.json"] = m.dump(2);
  return parts;
}

std::string read_error(std::string_view bytes) {
  std::string err;
  auto r = read_bundle(bytes, &err);
  REQUIRE_FALSE(r.has_value());
  return err;
}

std::string verify_error(const std::map<std::string, std::string>& parts) {
  std::string err;
  REQUIRE_FALSE(verify_manifest(parts, &err));
  return err;
}

}  // namespace

TEST_CASE("sha256 of known inputs", "[bundle]") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("bundle round-trips and its layout is the documented one", "[bundle]") {
  auto parts = sample_parts();
  std::string bytes = write_bundle(parts);
  CHECK(bytes.substr(0, 8) == "SNBUNDL1");
  CHECK(static_cast<uint8_t>(bytes[8]) == 3);
  CHECK(bytes[9] == 0);
  // The first part is the lexicographically smallest name.
  CHECK(static_cast<uint8_t>(bytes[12]) == std::string("firewall/keys.img").size());
  CHECK(bytes.substr(16, 17) == "firewall/keys.img");
  std::string err;
  auto back = read_bundle(bytes, &err);
  REQUIRE(back.has_value());
  CHECK(*back == parts);
  CHECK(verify_manifest(*back, &err));
  CHECK(write_bundle(*back) == bytes);
}

TEST_CASE("truncated bundles are rejected at every length", "[bundle]") {
  std::string bytes = write_bundle(sample_parts());
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::string err;
    CHECK_FALSE(read_bundle(std::string_view(bytes).substr(0, n), &err).has_value());
    CHECK_FALSE(err.empty());
  }
  CHECK(read_error(bytes.substr(0, 4)).find("bad magic") != std::string::npos);
  CHECK(read_error(bytes.substr(0, bytes.size() - 1)).find("truncated bundle: part manifest.json") !=
        std::string::npos);
  CHECK(read_error(bytes + "x").find("trailing bytes") != std::string::npos);
}

TEST_CASE("a flipped byte in a part is a sha256 mismatch naming the part", "[bundle]") {
  auto parts = sample_parts();
  std::string bytes = write_bundle(parts);
  // Flip the first byte of keys.img's contents: after magic, count, name len,
  // name and size.
  size_t off = 8 + 4 + 4 + std::string("firewall/keys.img").size() + 8;
  bytes[off] ^= 0x40;
  std::string err;
  auto back = read_bundle(bytes, &err);
  REQUIRE(back.has_value());
  CHECK(verify_error(*back) == "part firewall/keys.img: sha256 mismatch");
}

TEST_CASE("manifest mismatches are precise", "[bundle]") {
  auto parts = sample_parts();
  SECTION("wrong ABI") {
    CHECK(verify_error(sample_parts(SN_ABI_VERSION + 1)).find("ABI version mismatch") == 0);
  }
  SECTION("extra part") {
    parts["firewall/extra.img"] = "x";
    CHECK(verify_error(parts) ==
          "part firewall/extra.img: present in the bundle but not in the manifest");
  }
  SECTION("missing part") {
    parts.erase("firewall/program.o");
    CHECK(verify_error(parts) == "part firewall/program.o: listed in the manifest but missing");
  }
  SECTION("size mismatch") {
    parts["firewall/program.o"] += "!";
    CHECK(verify_error(parts).find("part firewall/program.o: size mismatch") == 0);
  }
  SECTION("no manifest") {
    parts.erase("manifest.json");
    CHECK(verify_error(parts) == "bundle has no manifest.json");
  }
  SECTION("unknown format version") {
    auto m = nlohmann::json::parse(parts["manifest.json"]);
    m["format_version"] = kFormatVersion + 1;
    parts["manifest.json"] = m.dump();
    CHECK(verify_error(parts).find("unknown format_version " + std::to_string(kFormatVersion + 1)) !=
          std::string::npos);
  }
  SECTION("a version 1 bundle says how to rebuild it") {
    auto m = nlohmann::json::parse(parts["manifest.json"]);
    m["format_version"] = 1;
    parts["manifest.json"] = m.dump();
    std::string err = verify_error(parts);
    CHECK(err.find("format version 1") != std::string::npos);
    CHECK(err.find("sentinelc build POLICY -o BUNDLE.snb") != std::string::npos);
  }
  SECTION("signature listed") {
    auto m = nlohmann::json::parse(parts["manifest.json"]);
    parts["signature.json"] = "{}";
    m["parts"]["signature.json"] = {{"size", 2}, {"sha256", sha256_hex("{}")}};
    parts["manifest.json"] = m.dump();
    CHECK(verify_error(parts) == "part signature.json: the manifest must not list it");
  }
}

TEST_CASE("unordered or duplicate part names are rejected", "[bundle]") {
  std::string b = "SNBUNDL1";
  auto put = [&](uint64_t v, int n) {
    for (int i = 0; i < n; ++i) b.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  put(2, 4);
  for (std::string name : {"b", "a"}) {
    put(name.size(), 4);
    b += name;
    put(1, 8);
    b += "x";
  }
  CHECK(read_error(b) == "malformed bundle: part a out of order or duplicated");
}
