// Signed bundles: `build --sign` output verifies with the public key, and
// unsigned, wrongly signed or altered bundles are refused when a key is
// required. Keys are made in process with OpenSSL, as PEM files like
// `openssl genpkey -algorithm ed25519` writes them.
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "compiler/backend/build.h"
#include "compiler/backend/bundle_format.h"
#include "compiler/backend/sign.h"
#include "compiler/backend/verify.h"
#include "tests/support/test_policy.h"

using namespace sentinel;
using nlohmann::json;

namespace {

// A key pair in a temporary directory: key.pem (private), key.pub.
struct KeyPair {
  std::filesystem::path dir;
  std::string priv, pub;
  explicit KeyPair(int type = EVP_PKEY_ED25519) {
    char tmpl[] = "/tmp/sn-keys-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    priv = (dir / "key.pem").string();
    pub = (dir / "key.pub").string();
    EVP_PKEY* k = nullptr;
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(type, nullptr);
    REQUIRE(ctx != nullptr);
    REQUIRE(EVP_PKEY_keygen_init(ctx) == 1);
    if (type == EVP_PKEY_EC) REQUIRE(EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx, NID_X9_62_prime256v1) == 1);
    REQUIRE(EVP_PKEY_keygen(ctx, &k) == 1);
    EVP_PKEY_CTX_free(ctx);
    FILE* f = std::fopen(priv.c_str(), "w");
    REQUIRE(f != nullptr);
    REQUIRE(PEM_write_PrivateKey(f, k, nullptr, nullptr, 0, nullptr, nullptr) == 1);
    std::fclose(f);
    f = std::fopen(pub.c_str(), "w");
    REQUIRE(f != nullptr);
    REQUIRE(PEM_write_PUBKEY(f, k) == 1);
    std::fclose(f);
    EVP_PKEY_free(k);
  }
  ~KeyPair() { std::filesystem::remove_all(dir); }
};

std::string build(const backend::BuildOptions& o, std::string* err = nullptr) {
  std::string e;
  auto b = backend::build_bundle(testing::sample_policy(), o, &e);
  if (err) *err = e;
  INFO(e);
  REQUIRE(b.has_value());
  return *b;
}

std::string refusal(const std::string& bytes, const std::string& public_key) {
  try {
    bundle::verify_bundle(bytes, {public_key});
  } catch (const bundle::VerifyError& e) {
    return e.what();
  }
  FAIL("the bundle was accepted");
  return {};
}

std::map<std::string, std::string> parts_of(const std::string& bytes) {
  std::string err;
  auto p = bundle::read_bundle(bytes, &err);
  REQUIRE(p.has_value());
  return *p;
}

}  // namespace

TEST_CASE("a signed bundle verifies with the public key", "[sign]") {
  KeyPair key;
  backend::BuildOptions o;
  o.sign_key = key.priv;
  std::string bytes = build(o);
  // Ed25519 is deterministic: signed bundles are reproducible too.
  CHECK(build(o) == bytes);
  auto parts = parts_of(bytes);
  REQUIRE(parts.count("signature.json") == 1);
  auto sig = json::parse(parts.at("signature.json"));
  CHECK(sig["algorithm"] == "ed25519");
  std::string err;
  auto id = bundle::key_id_of(key.pub, false, &err);
  REQUIRE(id.has_value());
  CHECK(sig["key_id"] == *id);
  CHECK(bundle::key_id_of(key.priv, true, &err) == id);
  // The manifest does not list the signature, so signing leaves it alone.
  CHECK(parts.at("manifest.json") == parts_of(build({})).at("manifest.json"));

  auto v = bundle::verify_bundle(bytes, {key.pub});
  CHECK(v.signature_verified);
  CHECK(v.signed_by == id);
  // Without a key required, the signer is still reported, unverified.
  auto u = bundle::verify_bundle(bytes);
  CHECK_FALSE(u.signature_verified);
  CHECK(u.signed_by == id);
}

TEST_CASE("unsigned, wrongly signed and altered bundles are refused when a key is required", "[sign]") {
  KeyPair key, other;
  backend::BuildOptions o;
  o.sign_key = key.priv;
  std::string signed_bytes = build(o);

  SECTION("unsigned") {
    std::string why = refusal(build({}), key.pub);
    CHECK(why == "the bundle is not signed, and a signature by " + key.pub + " is required");
  }
  SECTION("signed by another key") {
    std::string err;
    std::string why = refusal(signed_bytes, other.pub);
    CHECK(why.find("signature: signed by key " + *bundle::key_id_of(key.pub, false, &err) +
                   ", the enforcer trusts key " + *bundle::key_id_of(other.pub, false, &err)) == 0);
  }
  SECTION("a signature by another key under this key's id") {
    backend::BuildOptions by_other;
    by_other.sign_key = other.priv;
    auto forged = parts_of(build(by_other));
    auto sig = json::parse(forged.at("signature.json"));
    std::string err;
    sig["key_id"] = *bundle::key_id_of(key.pub, false, &err);
    forged["signature.json"] = sig.dump(2);
    CHECK(refusal(bundle::write_bundle(forged), key.pub).find("the signature does not match the manifest") !=
          std::string::npos);
  }
  SECTION("a tampered signature") {
    auto parts = parts_of(signed_bytes);
    auto sig = json::parse(parts.at("signature.json"));
    std::string s = sig["signature"];
    s[10] = s[10] == 'A' ? 'B' : 'A';
    sig["signature"] = s;
    parts["signature.json"] = sig.dump(2);
    CHECK(refusal(bundle::write_bundle(parts), key.pub) ==
          "signature: the signature does not match the manifest: the bundle was altered after signing");
  }
  SECTION("a manifest altered after signing, every hash consistent") {
    auto parts = parts_of(signed_bytes);
    auto m = json::parse(parts.at("manifest.json"));
    m["policy"]["revision"] = "feedfacefeedfacefeedfacefeedfacefeedface";
    parts["manifest.json"] = m.dump(2) + "\n";
    std::string bytes = bundle::write_bundle(parts);
    CHECK_NOTHROW(bundle::verify_bundle(bytes));  // without a key nothing else is wrong
    CHECK(refusal(bytes, key.pub).find("the bundle was altered after signing") != std::string::npos);
  }
  SECTION("a truncated signature") {
    auto parts = parts_of(signed_bytes);
    auto sig = json::parse(parts.at("signature.json"));
    sig["signature"] = sig["signature"].get<std::string>().substr(0, 40);
    parts["signature.json"] = sig.dump(2);
    CHECK(refusal(bundle::write_bundle(parts), key.pub) == "signature: signature.json: malformed signature");
  }
  SECTION("a key that is not Ed25519") {
    KeyPair ec(EVP_PKEY_EC);
    CHECK(refusal(signed_bytes, ec.pub) == "signature: key " + ec.pub + " is not an Ed25519 key");
    backend::BuildOptions bad;
    bad.sign_key = ec.priv;
    std::string err;
    CHECK_FALSE(backend::build_bundle(testing::sample_policy(), bad, &err).has_value());
    CHECK(err == "key " + ec.priv + " is not an Ed25519 key");
  }
  SECTION("a public key where a private one is needed") {
    backend::BuildOptions bad;
    bad.sign_key = key.pub;
    std::string err;
    CHECK_FALSE(backend::build_bundle(testing::sample_policy(), bad, &err).has_value());
    CHECK(err == "not a PEM private key: " + key.pub);
  }
}
