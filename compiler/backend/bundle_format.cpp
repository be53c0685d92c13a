#include "compiler/backend/bundle_format.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
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

std::optional<std::string> read_file_bounded(const std::string& path, uint64_t max, std::string* error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    fail(error, "cannot read " + path + ": " + std::strerror(errno));
    return std::nullopt;
  }
  std::string out;
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(error, "cannot read " + path + ": " + std::strerror(errno));
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    if (out.size() + static_cast<uint64_t>(n) > max) {
      ::close(fd);
      fail(error, path + " is larger than " + std::to_string(max >> 20) + " MiB, more than a bundle may be");
      return std::nullopt;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

namespace {

// Appends exactly n bytes of the file to `out`, in chunks as they arrive.
enum class Got { All, Eof, Error };
Got read_exact(int fd, uint64_t n, std::string& out) {
  char buf[1 << 16];
  while (n > 0) {
    ssize_t got = ::read(fd, buf, static_cast<size_t>(std::min<uint64_t>(n, sizeof buf)));
    if (got < 0) {
      if (errno == EINTR) continue;
      return Got::Error;
    }
    if (got == 0) return Got::Eof;
    out.append(buf, static_cast<size_t>(got));
    n -= static_cast<uint64_t>(got);
  }
  return Got::All;
}

uint64_t le_at(const std::string& s, size_t pos, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(s[pos + i])) << (8 * i);
  return v;
}

}  // namespace

std::optional<std::string> read_bundle_bytes(const std::string& path, std::string* error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    fail(error, "cannot read " + path + ": " + std::strerror(errno));
    return std::nullopt;
  }
  std::string out;
  std::string problem;
  // Reads the next n bytes, which the structure says are `what`.
  auto need = [&](uint64_t n, const std::string& what) {
    if (n > kMaxBundleBytes - out.size()) {
      problem = "malformed bundle: larger than " + std::to_string(kMaxBundleBytes >> 20) + " MiB";
      return false;
    }
    switch (read_exact(fd, n, out)) {
      case Got::All: return true;
      case Got::Eof: problem = "truncated bundle: " + what; return false;
      case Got::Error: problem = "cannot read " + path + ": " + std::strerror(errno); return false;
    }
    return false;
  };
  auto done = [&]() -> std::optional<std::string> {
    ::close(fd);
    if (!problem.empty()) {
      fail(error, path + ": " + problem);
      return std::nullopt;
    }
    return std::move(out);
  };

  if (!need(kMagic.size(), "missing magic") || out != kMagic) {
    if (problem.empty() || problem.rfind("truncated", 0) == 0) problem = "not a sentinel bundle (bad magic)";
    return done();
  }
  if (!need(4, "missing part count")) return done();
  uint64_t count = le_at(out, kMagic.size(), 4);
  if (count > kMaxParts) {
    problem = "malformed bundle: " + std::to_string(count) + " parts, at most " + std::to_string(kMaxParts);
    return done();
  }
  for (uint64_t i = 0; i < count; ++i) {
    std::string where = "part #" + std::to_string(i);
    if (!need(4, where + " name")) return done();
    uint64_t name_len = le_at(out, out.size() - 4, 4);
    if (name_len > kMaxPartName) {
      problem = "malformed bundle: " + where + " has a name of " + std::to_string(name_len) + " bytes";
      return done();
    }
    if (!need(name_len, where + " name")) return done();
    where = "part " + out.substr(out.size() - name_len);
    if (!need(8, where + " size")) return done();
    uint64_t size = le_at(out, out.size() - 8, 8);
    if (size > kMaxBundleBytes - out.size()) {
      problem = "malformed bundle: " + where + " claims " + std::to_string(size) + " bytes, more than a bundle of " +
                std::to_string(kMaxBundleBytes >> 20) + " MiB holds";
      return done();
    }
    if (!need(size, where + " ends past the end of the file")) return done();
  }
  std::string extra;
  switch (read_exact(fd, 1, extra)) {
    case Got::Eof: break;
    case Got::All: problem = "malformed bundle: trailing bytes after the last part"; break;
    case Got::Error: problem = "cannot read " + path + ": " + std::strerror(errno); break;
  }
  return done();
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
