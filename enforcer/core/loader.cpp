#include "enforcer/core/loader.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "enforcer/core/error.h"
#include "enforcer/core/layout.h"

namespace sentinel::enforcer::core {
namespace {

constexpr uint32_t kXdpDrop = 1, kXdpPass = 2;

const bpf::Fd& need_map(const LoadedGeneration& g, const std::string& name) {
  auto it = g.maps.find(name);
  if (it == g.maps.end())
    throw Error("load", "the object has no map " + name + " (ABI mismatch?)");
  return it->second;
}

// The object's maps must have the ABI's shapes: a mismatch here means the
// program was built against another ABI than the one that wrote the images.
void check_shape(bpf::Kernel& k, const LoadedGeneration& g, const std::string& name,
                 uint32_t key_size, uint32_t value_size) {
  bpf::MapInfo i = k.map_info(need_map(g, name), name);
  if ((key_size && i.key_size != key_size) || (value_size && i.value_size != value_size))
    throw Error("load", "map " + name + " has key/value " + std::to_string(i.key_size) + "/" +
                            std::to_string(i.value_size) + " bytes, the ABI says " +
                            std::to_string(key_size) + "/" + std::to_string(value_size));
}

void fill(bpf::Kernel& k, const LoadedGeneration& g, const std::string& name, const MapImage& img) {
  const bpf::Fd& m = need_map(g, name);
  bpf::MapInfo i = k.map_info(m, name);
  bool array = i.kind == bpf::MapKind::Array || i.kind == bpf::MapKind::PercpuArray;
  if (img.count > i.max_entries)
    throw Error("fill", "map " + name + " holds " + std::to_string(i.max_entries) +
                            " entries, the image has " + std::to_string(img.count));
  if (array && img.key_size != 4) throw Error("fill", "map " + name + ": array image key size");
  k.update_batch(m, name, img.keys.data(), img.values.data(), img.count);
}

uint16_t csum(const uint8_t* p, size_t n) {
  uint32_t s = 0;
  for (size_t i = 0; i + 1 < n; i += 2) s += (p[i] << 8) | p[i + 1];
  if (n & 1) s += p[n - 1] << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<uint16_t>(~s);
}

}  // namespace

LoadedGeneration load_firewall(bpf::Kernel& k, const FirewallSpec& spec, const LoadOptions& o) {
  check_spec(spec);
  sn_fw_config cfg = spec.config;
  cfg.generation = o.generation;

  bpf::LoadSpec ls;
  ls.what = o.what;
  ls.elf = spec.elf;
  ls.prog = SN_FW_PROG;
  ls.initial_values[kConfigMap].resize(sizeof cfg);
  std::memcpy(ls.initial_values[kConfigMap].data(), &cfg, sizeof cfg);
  size_t chunks = (spec.pir.size() + SN_FW_PIR_CHUNK - 1) / SN_FW_PIR_CHUNK;
  ls.max_entries[SN_FW_MAP_KEYS] = std::max<uint32_t>(1, spec.keys.count);
  ls.max_entries[SN_FW_MAP_RULES] = std::max<uint32_t>(1, spec.rules.count);
  ls.max_entries[SN_FW_MAP_PIR] = std::max<uint32_t>(1, static_cast<uint32_t>(chunks));
  for (const auto& [name, n] : o.max_entries_override) ls.max_entries[name] = n;
  ls.reuse = o.reuse;

  LoadedGeneration g;
  try {
    bpf::Loaded l = k.load(ls);
    g.prog = l.prog;
    g.prog_id = l.prog_id;
    g.maps = std::move(l.maps);
  } catch (const bpf::BpfError& e) {
    throw Error("load", e.what(), e.log());
  }

  try {
    check_shape(k, g, SN_FW_MAP_TUPLES, 4, sizeof(sn_fw_tuple));
    check_shape(k, g, SN_FW_MAP_KEYS, sizeof(sn_fw_key), sizeof(sn_fw_match));
    check_shape(k, g, SN_FW_MAP_RULES, 4, sizeof(sn_fw_rule));
    check_shape(k, g, SN_FW_MAP_PIR, 4, SN_FW_PIR_CHUNK);
    check_shape(k, g, SN_FW_MAP_COUNTERS, 8, sizeof(sn_counter));
    check_shape(k, g, SN_FW_MAP_RINGSTAT, 4, sizeof(sn_ring_stats));
    need_map(g, SN_FW_MAP_EVENTS);
    need_map(g, kConfigMap);

    fill(k, g, SN_FW_MAP_TUPLES, spec.tuples);
    fill(k, g, SN_FW_MAP_KEYS, spec.keys);
    fill(k, g, SN_FW_MAP_RULES, spec.rules);

    if (chunks) {
      std::vector<uint8_t> vals(chunks * SN_FW_PIR_CHUNK, 0);
      std::memcpy(vals.data(), spec.pir.data(), spec.pir.size());
      std::vector<uint32_t> idx(chunks);
      for (uint32_t i = 0; i < chunks; ++i) idx[i] = i;
      k.update_batch(need_map(g, SN_FW_MAP_PIR), SN_FW_MAP_PIR, idx.data(), vals.data(),
                     static_cast<uint32_t>(chunks));
    }

    // Counters are shared across generations and created by the program on
    // a rule's first packet: pre-creating one per rule would cost a per-CPU
    // allocation each, seconds for a large policy, for rules that may never
    // see a packet. Their shape is checked above.
  } catch (const bpf::BpfError& e) {
    throw Error("fill", e.what(), e.log());
  }
  return g;
}

std::vector<uint8_t> arp_frame() {
  std::vector<uint8_t> f(42, 0);
  std::memset(f.data(), 0xff, 6);                       // broadcast
  const uint8_t src[6] = {0x02, 0, 0, 0, 0, 1};
  std::memcpy(f.data() + 6, src, 6);
  f[12] = 0x08, f[13] = 0x06;                           // ARP
  const uint8_t arp[8] = {0, 1, 8, 0, 6, 4, 0, 1};      // ethernet/IPv4 request
  std::memcpy(f.data() + 14, arp, 8);
  std::memcpy(f.data() + 22, src, 6);
  return f;
}

std::vector<uint8_t> ipv4_tcp_frame(uint32_t saddr, uint32_t daddr, uint16_t sport,
                                    uint16_t dport) {
  std::vector<uint8_t> f(14 + 20 + 20, 0);
  const uint8_t mac[12] = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1};
  std::memcpy(f.data(), mac, 12);
  f[12] = 0x08, f[13] = 0x00;
  uint8_t* ip = f.data() + 14;
  ip[0] = 0x45;
  ip[3] = 40;  // total length
  ip[8] = 64;  // ttl
  ip[9] = 6;   // tcp
  std::memcpy(ip + 12, &saddr, 4);
  std::memcpy(ip + 16, &daddr, 4);
  uint16_t c = htons(csum(ip, 20));
  std::memcpy(ip + 10, &c, 2);
  uint8_t* tcp = ip + 20;
  uint16_t sp = htons(sport), dp = htons(dport);
  std::memcpy(tcp, &sp, 2);
  std::memcpy(tcp + 2, &dp, 2);
  tcp[12] = 0x50;  // data offset 5
  tcp[13] = 0x02;  // SYN
  tcp[15] = 0xff;  // window
  return f;
}

void smoke_test(bpf::Kernel& k, const LoadedGeneration& g) {
  try {
    // The smoke marker keeps these frames out of the shared counters and
    // events: the live generation's figures must not move on an apply.
    const uint64_t magic = SN_SMOKE_META_MAGIC;
    std::span<const uint8_t> meta(reinterpret_cast<const uint8_t*>(&magic), sizeof magic);
    auto r = k.test_run(g.prog, arp_frame(), 1, meta);
    if (r.retval != kXdpPass)
      throw Error("smoke test", "an ARP frame got XDP action " + std::to_string(r.retval) +
                                    ", expected XDP_PASS");
    // TEST-NET-1 addresses and the discard port: what any policy may judge.
    auto t = k.test_run(g.prog, ipv4_tcp_frame(htonl(0xc0000201), htonl(0xc0000202), 9, 9), 1, meta);
    if (t.retval != kXdpPass && t.retval != kXdpDrop)
      throw Error("smoke test", "an IPv4 TCP frame got XDP action " + std::to_string(t.retval) +
                                    ", expected XDP_PASS or XDP_DROP");
  } catch (const bpf::BpfError& e) {
    throw Error("smoke test", e.what());
  }
}

std::string read_pir(bpf::Kernel& k, const bpf::Fd& pir_map) {
  bpf::MapInfo i = k.map_info(pir_map, SN_FW_MAP_PIR);
  std::string out;
  std::vector<uint8_t> chunk(i.value_size);
  for (uint32_t idx = 0; idx < i.max_entries; ++idx) {
    if (!k.lookup(pir_map, SN_FW_MAP_PIR, &idx, chunk.data())) break;
    out.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
  }
  // Chunks are zero-padded; the text itself holds no NUL.
  out.resize(std::min(out.size(), out.find('\0')));
  return out;
}

}  // namespace sentinel::enforcer::core
