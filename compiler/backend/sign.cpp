#include "compiler/backend/sign.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "compiler/backend/bundle_format.h"

namespace sentinel::bundle {

namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

bool fail(std::string* error, std::string msg) {
  if (error) *error = std::move(msg);
  return false;
}

Pkey load_key(const std::string& path, bool is_private, std::string* error) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) {
    fail(error, "cannot read key " + path);
    return nullptr;
  }
  EVP_PKEY* k = is_private ? PEM_read_PrivateKey(f, nullptr, nullptr, nullptr)
                           : PEM_read_PUBKEY(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (!k) {
    fail(error, std::string(is_private ? "not a PEM private key: " : "not a PEM public key: ") + path);
    return nullptr;
  }
  if (EVP_PKEY_id(k) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(k);
    fail(error, "key " + path + " is not an Ed25519 key");
    return nullptr;
  }
  return Pkey(k);
}

std::string key_id(EVP_PKEY* k) {
  unsigned char raw[32];
  size_t len = sizeof raw;
  if (EVP_PKEY_get_raw_public_key(k, raw, &len) != 1) return {};
  return sha256_hex(std::string_view(reinterpret_cast<const char*>(raw), len)).substr(0, 16);
}

std::string base64(const unsigned char* p, size_t n) {
  std::string out(4 * ((n + 2) / 3), '\0');
  int w = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), p, static_cast<int>(n));
  out.resize(w < 0 ? 0 : w);
  return out;
}

bool unbase64(const std::string& s, std::string& out) {
  out.assign(3 * s.size() / 4 + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  if (n < 0) return false;
  size_t pad = 0;
  for (size_t i = s.size(); i > 0 && s[i - 1] == '='; --i) ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return true;
}

}  // namespace

std::optional<std::string> key_id_of(const std::string& pem_path, bool is_private, std::string* error) {
  Pkey k = load_key(pem_path, is_private, error);
  if (!k) return std::nullopt;
  return key_id(k.get());
}

std::optional<std::string> sign_manifest(std::string_view manifest, const std::string& path, std::string* error) {
  Pkey k = load_key(path, true, error);
  if (!k) return std::nullopt;
  std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  unsigned char sig[64];
  size_t len = sizeof sig;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, k.get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig, &len, reinterpret_cast<const unsigned char*>(manifest.data()),
                     manifest.size()) != 1) {
    fail(error, "signing with " + path + " failed");
    return std::nullopt;
  }
  nlohmann::json j = {{"algorithm", "ed25519"}, {"key_id", key_id(k.get())}, {"signature", base64(sig, len)}};
  return j.dump(2) + "\n";
}

bool verify_signature(std::string_view manifest, std::string_view part, const std::string& path,
                      std::string* error) {
  Pkey k = load_key(path, false, error);
  if (!k) return false;
  nlohmann::json j = nlohmann::json::parse(part, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("algorithm", "") != "ed25519" || !j.contains("signature") ||
      !j["signature"].is_string())
    return fail(error, std::string(kSignaturePartName) + ": not an ed25519 signature");
  std::string want = key_id(k.get());
  std::string have = j.value("key_id", "");
  if (have != want)
    return fail(error, "signed by key " + have + ", the enforcer trusts key " + want);
  std::string sig;
  if (!unbase64(j["signature"].get<std::string>(), sig) || sig.size() != 64)
    return fail(error, std::string(kSignaturePartName) + ": malformed signature");
  std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, k.get()) != 1 ||
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(manifest.data()), manifest.size()) != 1)
    return fail(error, "the signature does not match the manifest: the bundle was altered after signing");
  return true;
}

}  // namespace sentinel::bundle
