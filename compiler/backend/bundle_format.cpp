#include "compiler/backend/bundle_format.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <cstdint>
#include <nlohmann/json.hpp>

extern "C" {
#include "sentinel/abi/common.h"
}

namespace sentinel::bundle {

namespace {

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// A bounds-checked little-endian reader over the file.
struct Reader {
  std::string_view data;
  size_t pos = 0;
  bool get(uint64_t& v, int bytes) {
    if (data.size() - pos < static_cast<size_t>(bytes)) return false;
    v = 0;
    for (int i = 0; i < bytes; ++i)
      v |= static_cast<uint64_t>(static_cast<uint8_t>(data[pos + i])) << (8 * i);
    pos += bytes;
    return true;
  }
  bool take(std::string_view& out, uint64_t n) {
    if (data.size() - pos < n) return false;
    out = data.substr(pos, n);
    pos += n;
    return true;
  }
};

bool fail(std::string* error, std::string msg) {
  if (error) *error = std::move(msg);
  return false;
}

}  // namespace

std::string write_bundle(const std::map<std::string, std::string>& parts) {
  std::string out(kMagic);
  put_le(out, parts.size(), 4);
  for (const auto& [name, bytes] : parts) {
    put_le(out, name.size(), 4);
    out += name;
    put_le(out, bytes.size(), 8);
    out += bytes;
  }
  return out;
}

namespace {

// Reads exactly `n` bytes; false at end of file or on error (errno set, 0 at EOF).
bool read_exact(int fd, char* out, size_t n) {
  while (n > 0) {
    ssize_t got = ::read(fd, out, n);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      if (got == 0) errno = 0;
      return false;
    }
    out += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

}  // namespace

std::optional<std::string> read_bundle_file(const std::string& path, std::string* error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    fail(error, "cannot read " + path + ": " + std::strerror(errno));
    return std::nullopt;
  }
  std::string out;
  std::string why;
  // Each field is read only after the ones before it said it may exist, so
  // that nothing is read past what the format allows (a device, a FIFO or a
  // huge file fails at its first wrong field).
  auto field = [&](size_t n, const char* what) {
    size_t at = out.size();
    out.resize(at + n);
    if (read_exact(fd, out.data() + at, n)) return true;
    why = errno ? std::string("cannot read ") + what + ": " + std::strerror(errno)
                : std::string("truncated bundle: ") + what;
    return false;
  };
  auto le = [&](size_t at, int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= uint64_t(static_cast<uint8_t>(out[at + i])) << (8 * i);
    return v;
  };
  bool ok = [&] {
    if (!field(kMagic.size(), "magic") || std::string_view(out).substr(0, kMagic.size()) != kMagic) {
      why = "not a sentinel bundle (bad magic)";
      return false;
    }
    if (!field(4, "part count")) return false;
    uint64_t count = le(kMagic.size(), 4);
    if (count > kMaxParts) {
      why = "malformed bundle: " + std::to_string(count) + " parts, at most " + std::to_string(kMaxParts);
      return false;
    }
    for (uint64_t i = 0; i < count; ++i) {
      std::string where = "part #" + std::to_string(i);
      if (!field(4, (where + " name").c_str())) return false;
      uint64_t name_len = le(out.size() - 4, 4);
      if (name_len > kMaxPartName) {
        why = "malformed bundle: " + where + " has a name of " + std::to_string(name_len) + " bytes";
        return false;
      }
      if (!field(name_len, (where + " name").c_str()) || !field(8, (where + " size").c_str())) return false;
      uint64_t size = le(out.size() - 8, 8);
      if (size > kMaxBundleBytes - out.size()) {
        why = "malformed bundle: " + where + " of " + std::to_string(size) + " bytes makes the bundle larger than " +
              std::to_string(kMaxBundleBytes >> 20) + " MiB";
        return false;
      }
      if (!field(size, (where + " contents").c_str())) return false;
    }
    char extra;
    ssize_t n;
    do n = ::read(fd, &extra, 1);
    while (n < 0 && errno == EINTR);
    if (n != 0) {
      why = n > 0 ? "malformed bundle: trailing bytes after the last part" : std::string("cannot read: ") + std::strerror(errno);
      return false;
    }
    return true;
  }();
  ::close(fd);
  if (!ok) {
    fail(error, path + ": " + why);
    return std::nullopt;
  }
  return out;
}

std::optional<std::map<std::string, std::string>> read_bundle(std::string_view bytes,
                                                              std::string* error) {
  if (bytes.size() < kMagic.size() || bytes.substr(0, kMagic.size()) != kMagic) {
    fail(error, "not a sentinel bundle (bad magic)");
    return std::nullopt;
  }
  if (bytes.size() > kMaxBundleBytes) {
    fail(error, "bundle larger than " + std::to_string(kMaxBundleBytes >> 20) + " MiB");
    return std::nullopt;
  }
  Reader r{bytes, kMagic.size()};
  uint64_t count = 0;
  if (!r.get(count, 4)) {
    fail(error, "truncated bundle: missing part count");
    return std::nullopt;
  }
  if (count > kMaxParts) {
    fail(error, "malformed bundle: " + std::to_string(count) + " parts, at most " + std::to_string(kMaxParts));
    return std::nullopt;
  }
  std::map<std::string, std::string> parts;
  std::string prev;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t name_len = 0, size = 0;
    std::string_view name, body;
    std::string where = "part #" + std::to_string(i);
    if (!r.get(name_len, 4)) {
      fail(error, "truncated bundle: " + where + " name");
      return std::nullopt;
    }
    if (name_len > kMaxPartName) {
      fail(error, "malformed bundle: " + where + " has a name of " + std::to_string(name_len) + " bytes");
      return std::nullopt;
    }
    if (!r.take(name, name_len)) {
      fail(error, "truncated bundle: " + where + " name");
      return std::nullopt;
    }
    if (name.empty()) {
      fail(error, "malformed bundle: " + where + " has an empty name");
      return std::nullopt;
    }
    where = "part " + std::string(name);
    if (i > 0 && std::string(name) <= prev) {
      fail(error, "malformed bundle: " + where + " out of order or duplicated");
      return std::nullopt;
    }
    if (!r.get(size, 8) || !r.take(body, size)) {
      fail(error, "truncated bundle: " + where + " ends past the end of the file");
      return std::nullopt;
    }
    prev = std::string(name);
    parts.emplace(prev, std::string(body));
  }
  if (r.pos != bytes.size()) {
    fail(error, "malformed bundle: " + std::to_string(bytes.size() - r.pos) +
                    " trailing bytes after the last part");
    return std::nullopt;
  }
  return parts;
}

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(hex[md[i] >> 4]);
    out.push_back(hex[md[i] & 15]);
  }
  return out;
}

bool verify_manifest(const std::map<std::string, std::string>& parts, std::string* error) {
  auto it = parts.find(std::string(kManifest));
  if (it == parts.end()) return fail(error, "bundle has no manifest.json");
  nlohmann::json m;
  try {
    m = nlohmann::json::parse(it->second);
  } catch (const std::exception& e) {
    return fail(error, std::string("manifest.json: invalid JSON: ") + e.what());
  }
  if (!m.is_object()) return fail(error, "manifest.json: not a JSON object");
  if (!m.contains("format") || m["format"] != kFormatName)
    return fail(error, "manifest.json: format is not \"sentinel-bundle\"");
  if (!m.contains("format_version") || !m["format_version"].is_number_integer())
    return fail(error, "manifest.json: missing format_version");
  if (m["format_version"].get<int64_t>() == 1)
    return fail(error, "this bundle has format version 1, from an older sentinelc; this enforcer reads version " +
                           std::to_string(kFormatVersion) +
                           ": rebuild it from the policy with `sentinelc build POLICY -o BUNDLE.snb` of this release");
  if (m["format_version"].get<int64_t>() != kFormatVersion)
    return fail(error, "manifest.json: unknown format_version " +
                           m["format_version"].dump() + " (this build reads " +
                           std::to_string(kFormatVersion) + ")");
  if (!m.contains("abi_version") || !m["abi_version"].is_number_integer())
    return fail(error, "manifest.json: missing abi_version");
  if (m["abi_version"].get<int64_t>() != SN_ABI_VERSION)
    return fail(error, "ABI version mismatch: bundle has " + m["abi_version"].dump() +
                           ", this build expects " + std::to_string(SN_ABI_VERSION));
  if (!m.contains("parts") || !m["parts"].is_object())
    return fail(error, "manifest.json: missing parts");
  const auto& listed = m["parts"];
  for (const auto& [name, bytes] : parts) {
    if (name == kManifest || name == kSignaturePartName) continue;
    if (!listed.contains(name))
      return fail(error, "part " + name + ": present in the bundle but not in the manifest");
    const auto& e = listed[name];
    if (!e.is_object() || !e.contains("size") || !e.contains("sha256") ||
        !e["size"].is_number_unsigned() || !e["sha256"].is_string())
      return fail(error, "part " + name + ": malformed manifest entry");
    if (e["size"].get<uint64_t>() != bytes.size())
      return fail(error, "part " + name + ": size mismatch (manifest " + e["size"].dump() +
                             ", actual " + std::to_string(bytes.size()) + ")");
    if (e["sha256"].get<std::string>() != sha256_hex(bytes))
      return fail(error, "part " + name + ": sha256 mismatch");
  }
  for (const auto& [name, e] : listed.items()) {
    if (name == kManifest || name == kSignaturePartName)
      return fail(error, "part " + name + ": the manifest must not list it");
    if (!parts.count(name))
      return fail(error, "part " + name + ": listed in the manifest but missing");
  }
  return true;
}

}  // namespace sentinel::bundle
