// Ed25519 signatures of bundles (OpenSSL). A signature covers the manifest's
// bytes; the manifest covers every other part with its SHA-256, so a valid
// signature vouches for the whole bundle. Keys are PEM files, as
// `openssl genpkey -algorithm ed25519 -out key.pem` and
// `openssl pkey -in key.pem -pubout -out key.pub` write them.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace sentinel::bundle {

// The signature part (JSON: algorithm, key id, base64 signature), or
// nullopt with `error` set.
std::optional<std::string> sign_manifest(std::string_view manifest, const std::string& private_key_pem_path,
                                         std::string* error);

// Checks the signature part against the manifest with the public key.
bool verify_signature(std::string_view manifest, std::string_view signature_part,
                      const std::string& public_key_pem_path, std::string* error);

// The key id: SHA-256 of the raw public key, lower-case hex, first 16 digits.
std::optional<std::string> key_id_of(const std::string& pem_path, bool is_private, std::string* error);

}  // namespace sentinel::bundle
