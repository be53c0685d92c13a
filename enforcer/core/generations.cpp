#include "enforcer/core/generations.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace sentinel::enforcer::core {

std::string hex(const uint8_t* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) s += d[p[i] >> 4], s += d[p[i] & 15];
  return s;
}

std::optional<GenerationInfo> Generations::get(uint64_t n) {
  GenerationInfo g;
  g.number = n;
  bpf::Fd m = k_.get_pinned(l_.gen(n, "meta"));
  if (!m) {
    if (k_.list_dir(l_.gen(n)).empty()) return std::nullopt;
    return g;  // a half-made or half-removed generation
  }
  uint32_t zero = 0;
  g.complete = k_.lookup(m, "meta", &zero, &g.meta);
  return g;
}

std::vector<GenerationInfo> Generations::list() {
  std::vector<GenerationInfo> out;
  for (const auto& name : k_.list_dir(l_.gens())) {
    uint64_t n = 0;
    auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), n);
    if (ec != std::errc() || ptr != name.data() + name.size()) continue;
    GenerationInfo g;
    g.number = n;
    if (auto got = get(n)) g = *got;
    out.push_back(g);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.number < b.number; });
  return out;
}

std::string Generations::text(uint64_t n, const std::string& which) {
  bpf::Fd m = k_.get_pinned(l_.gen(n, which));
  if (!m) return {};
  bpf::MapInfo i = k_.map_info(m, which);
  std::string out;
  std::vector<uint8_t> chunk(i.value_size);
  for (uint32_t idx = 0; idx < i.max_entries; ++idx) {
    if (!k_.lookup(m, which, &idx, chunk.data(), chunk.size())) break;
    out.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
  }
  // Chunks are zero-padded; the text itself holds no NUL.
  out.resize(std::min(out.size(), out.find('\0')));
  return out;
}

std::vector<IfaceRecord> Generations::ifaces(uint64_t n) {
  std::vector<IfaceRecord> out;
  bpf::Fd m = k_.get_pinned(l_.gen(n, "ifaces"));
  if (!m) return out;
  bpf::MapInfo i = k_.map_info(m, "ifaces");
  for (uint32_t idx = 0; idx < i.max_entries; ++idx) {
    IfaceRecord r{};
    if (!k_.lookup(m, "ifaces", &idx, &r) || r.ifindex == 0) break;
    out.push_back(r);
  }
  return out;
}

std::set<uint64_t> Generations::counter_keys(uint64_t n) {
  std::set<uint64_t> out;
  bpf::Fd m = k_.get_pinned(l_.gen(n, "ckeys"));
  if (!m) return out;
  bpf::MapInfo i = k_.map_info(m, "ckeys");
  for (uint32_t idx = 0; idx < i.max_entries; ++idx) {
    uint64_t key = 0;
    if (!k_.lookup(m, "ckeys", &idx, &key)) break;
    out.insert(key);
  }
  return out;
}

void Generations::remove(uint64_t n) {
  std::string dir = l_.gen(n);
  // meta first: a half-removed generation is never mistaken for a complete one.
  k_.unpin(l_.gen(n, "meta"));
  for (const auto& name : k_.list_dir(dir)) k_.unpin(dir + "/" + name);
  k_.remove_dir(dir);
}

bpf::Fd Generations::make_text(const std::string& name, const std::string& text) {
  uint32_t chunks = std::max<uint32_t>(1, static_cast<uint32_t>((text.size() + kTextChunk - 1) / kTextChunk));
  bpf::Fd m = k_.create_array("sn_" + name, kTextChunk, chunks);
  std::vector<uint8_t> vals(size_t(chunks) * kTextChunk, 0);
  if (!text.empty()) std::memcpy(vals.data(), text.data(), text.size());
  std::vector<uint32_t> idx(chunks);
  for (uint32_t i = 0; i < chunks; ++i) idx[i] = i;
  k_.update_batch(m, name, idx.data(), vals.data(), chunks);
  return m;
}

bpf::Fd Generations::make_records(const std::string& name, const void* data, uint32_t size, uint32_t count) {
  bpf::Fd m = k_.create_array("sn_" + name, size, std::max<uint32_t>(1, count));
  std::vector<uint32_t> idx(count);
  for (uint32_t i = 0; i < count; ++i) idx[i] = i;
  if (count) k_.update_batch(m, name, idx.data(), data, count);
  return m;
}

NsMeta Generations::ns_meta() {
  NsMeta m;
  if (bpf::Fd f = k_.get_pinned(l_.ns_meta())) {
    uint32_t zero = 0;
    k_.lookup(f, "meta", &zero, &m);
  }
  return m;
}

void Generations::write_ns_meta(const NsMeta& m, Undo* undo) {
  bpf::Fd f = k_.get_pinned(l_.ns_meta());
  if (!f) {
    f = k_.create_array("sn_ns_meta", sizeof(NsMeta), 1);
    k_.pin(f, l_.ns_meta());
    if (undo) undo->pins.push_back(l_.ns_meta());
  }
  uint32_t zero = 0;
  k_.update_batch(f, "meta", &zero, &m, 1);
}

}  // namespace sentinel::enforcer::core
