// The bundle container (.snb), shared by sentinelc (writer) and
// sentinel-enforcer (reader). Layout, all integers little-endian:
//
//   "SNBUNDL1"  u32 part_count
//   part_count times, sorted by name:  u32 name_len  name  u64 size  bytes
//
// One part, manifest.json, lists every other part with its size and SHA-256;
// verify_manifest() checks that the two agree exactly. An optional
// signature.json (sign.h) signs the manifest and is the one part it does not
// list. This library links only OpenSSL and nlohmann_json so the enforcer
// can use it without LLVM.
//
// Every read is bounded by the format's own limits (kMax*): a bundle that
// claims more is refused before anything is allocated for it.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace sentinel::bundle {

inline constexpr std::string_view kMagic = "SNBUNDL1";
inline constexpr std::string_view kManifest = "manifest.json";
inline constexpr std::string_view kFormatName = "sentinel-bundle";
inline constexpr std::string_view kSignaturePartName = "signature.json";
inline constexpr int kFormatVersion = 2;

inline constexpr uint64_t kMaxBundleBytes = 1ull << 30;  // 1 GiB
inline constexpr uint64_t kMaxParts = 4096;
inline constexpr uint64_t kMaxPartName = 256;

// Reads a whole file of at most `max` bytes (a regular file, a pipe or a
// device alike, never more than max + 1 bytes), or nullopt with `error`.
std::optional<std::string> read_file_bounded(const std::string& path, uint64_t max, std::string* error);

// Reads a bundle file by its own structure: the magic first, then each
// length before what it counts, refusing as soon as the bytes cannot be a
// bundle (a wrong magic, a count or size past the format's limits, a file
// that ends early or goes on after the last part). Memory grows only with
// bytes actually read, so /dev/zero or a header that claims a gigabyte is
// refused after a few bytes. Returns the file's bytes for read_bundle().
std::optional<std::string> read_bundle_bytes(const std::string& path, std::string* error);

// Serializes `parts` (std::map is already sorted by name, so the bytes are a
// function of the contents alone).
std::string write_bundle(const std::map<std::string, std::string>& parts);

// Parses and validates the container structure: magic, counts and lengths
// within the file, names non-empty, strictly ascending (hence unique), no
// trailing bytes. Does not look inside parts; see verify_manifest().
std::optional<std::map<std::string, std::string>> read_bundle(std::string_view bytes,
                                                              std::string* error);

// Lower-case hex SHA-256.
std::string sha256_hex(std::string_view data);

// Checks manifest.json against the parts: format and format_version known,
// abi_version == SN_ABI_VERSION, every other part listed with matching size
// and sha256, no listed part missing. Errors name the part, e.g.
// "part firewall/recs.img: sha256 mismatch".
bool verify_manifest(const std::map<std::string, std::string>& parts, std::string* error);

}  // namespace sentinel::bundle
