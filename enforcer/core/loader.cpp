#include "enforcer/core/loader.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "enforcer/core/error.h"
#include "enforcer/core/map_image.h"

extern "C" {
#include "sentinel/abi/dispatch.h"
#include "sentinel/abi/meta.h"
}

namespace sentinel::enforcer::core {

namespace {

constexpr uint32_t kXdpDrop = 1, kXdpPass = 2;

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string shape(const bpf::MapInfo& i) {
  return std::string(bpf::to_string(i.kind)) + " key " + std::to_string(i.key_size) + " value " +
         std::to_string(i.value_size) + " entries " + std::to_string(i.max_entries) + " flags " +
         std::to_string(i.flags);
}

bool same_shape(const bpf::MapInfo& a, const backend::MapSpec& s, bool entries) {
  return a.kind == map_kind(s.type) && a.key_size == s.key_size && a.value_size == s.value_size &&
         a.flags == s.flags && (!entries || a.max_entries == s.max_entries);
}

std::string spec_shape(const backend::MapSpec& s) {
  bpf::MapInfo i{map_kind(s.type), 0, s.key_size, s.value_size, s.max_entries, s.flags};
  return shape(i);
}

// The object declares exactly the maps the plan says, with their shapes,
// and has the programs the plan puts at hooks.
void check_object(bpf::Kernel& k, const Bundle& b, const backend::ObjectSpec& o) {
  auto it = b.objects.find(o.part);
  if (it == b.objects.end()) throw Error("check", "the bundle has no object " + o.part);
  bpf::ObjectInfo info = k.inspect(bytes(it->second), o.part);
  for (const auto& p : o.programs)
    if (std::find(info.programs.begin(), info.programs.end(), p.name) == info.programs.end())
      throw Error("check", o.part + " has no program " + p.name);
  std::set<std::string> declared;
  for (const auto& d : info.maps) {
    if (d.internal) continue;
    declared.insert(d.name);
    const backend::MapSpec* s = b.plan.map(d.name);
    if (!s || std::find(o.maps.begin(), o.maps.end(), d.name) == o.maps.end())
      throw Error("check", o.part + " declares map " + d.name + ", which the manifest does not give it");
    // Maps with an image are sized by their contents at load.
    if (!same_shape(d.info, *s, s->image.empty()))
      throw Error("check", o.part + " declares map " + d.name + " as " + shape(d.info) + ", the manifest as " +
                               spec_shape(*s));
  }
  for (const auto& m : o.maps)
    if (!declared.count(m)) throw Error("check", o.part + " lacks map " + m + " that the manifest gives it");
}

void fill(bpf::Kernel& k, const bpf::Fd& m, const std::string& name, const MapImage& img) {
  bpf::MapInfo i = k.map_info(m, name);
  if (img.count > i.max_entries)
    throw Error("fill", "map " + name + " holds " + std::to_string(i.max_entries) + " entries, the image has " +
                            std::to_string(img.count));
  if (img.key_size != i.key_size || img.value_size != i.value_size)
    throw Error("fill", "map " + name + ": image records of " + std::to_string(img.key_size) + "/" +
                            std::to_string(img.value_size) + " bytes, the map's are " + std::to_string(i.key_size) +
                            "/" + std::to_string(i.value_size));
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

bpf::MapKind map_kind(backend::MapType t) {
  switch (t) {
    case backend::MapType::Array: return bpf::MapKind::Array;
    case backend::MapType::Hash: return bpf::MapKind::Hash;
    case backend::MapType::PercpuArray: return bpf::MapKind::PercpuArray;
    case backend::MapType::PercpuHash: return bpf::MapKind::PercpuHash;
    case backend::MapType::LruHash: return bpf::MapKind::LruHash;
    case backend::MapType::Ringbuf: return bpf::MapKind::Ringbuf;
    case backend::MapType::ProgArray: return bpf::MapKind::ProgArray;
  }
  return bpf::MapKind::Other;
}

LoadedGeneration load_generation(bpf::Kernel& k, const Bundle& b, const LoadOptions& o) {
  LoadedGeneration g;
  try {
    for (const auto& obj : b.plan.objects) check_object(k, b, obj);
    for (const auto& [name, fd] : o.host_maps) {
      const backend::MapSpec* s = b.plan.map(name);
      if (!s) continue;  // state of a domain this bundle does not have: kept for later
      if (s->scope != backend::Scope::Host)
        throw Error("state", "map " + name + " is pinned as state, but this bundle makes it per generation");
      bpf::MapInfo i = k.map_info(fd, name);
      if (!same_shape(i, *s, true))
        throw Error("state", "state map " + name + " is pinned as " + shape(i) + ", this bundle needs " +
                                 spec_shape(*s) +
                                 "; it was made by an enforcer of another ABI: `sentinel-enforcer detach` "
                                 "removes the old state");
      g.maps[name] = fd;
    }
  } catch (const bpf::BpfError& e) {
    throw Error("check", e.what(), e.log());
  }

  for (const auto& obj : b.plan.objects) {
    bpf::LoadSpec ls;
    ls.what = o.what + " object " + obj.part;
    ls.elf = bytes(b.objects.at(obj.part));
    for (const auto& p : obj.programs) ls.programs.push_back(p.name);
    for (const auto& [section, part] : obj.rodata) {
      const std::string& img_bytes = b.plan.parts.at(part);
      std::string err;
      auto img = parse_image(img_bytes, part, &err);
      if (!img || img->kind != SN_IMAGE_RODATA || img->count != 1) throw Error("load", err.empty() ? part + ": not a rodata image" : err);
      ls.initial_values[section] = img->values;
    }
    for (const auto& m : obj.maps) {
      const backend::MapSpec* s = b.plan.map(m);
      if (auto it = g.maps.find(m); it != g.maps.end()) {
        ls.reuse[m] = it->second;  // made by an earlier object, or host state
        continue;
      }
      if (!s->image.empty()) ls.max_entries[m] = s->max_entries;
      if (auto ov = o.max_entries_override.find(m); ov != o.max_entries_override.end()) ls.max_entries[m] = ov->second;
    }
    bpf::Loaded l;
    try {
      l = k.load(ls);
    } catch (const bpf::BpfError& e) {
      throw Error("load", e.what(), e.log());
    }
    for (const auto& m : obj.maps) {
      if (g.maps.count(m)) continue;
      g.maps[m] = l.maps.at(m);
      if (b.plan.map(m)->scope == backend::Scope::Host) g.created_host.insert(m);
    }
    for (const auto& p : obj.programs) {
      g.progs[p.name] = l.progs.at(p.name);
      g.prog_ids[p.name] = l.prog_ids.at(p.name);
      if (p.hook != backend::Hook::TailCall) {
        if (g.entries.count(p.hook))
          throw Error("check", "two programs at hook " + std::string(backend::to_string(p.hook)));
        g.entries[p.hook] = p.name;
      }
    }
  }

  try {
    for (const auto& m : b.plan.maps) {
      if (m.image.empty()) continue;
      std::string err;
      auto img = parse_image(b.plan.parts.at(m.image), m.image, &err);
      if (!img) throw Error("fill", err);
      fill(k, g.maps.at(m.name), m.name, *img);
    }
    for (const auto& m : b.plan.maps) {
      std::vector<uint32_t> keys, bits;
      for (size_t i = 0; i < m.ifaces.size(); ++i) {
        auto it = o.ifindexes.find(m.ifaces[i]);
        if (it == o.ifindexes.end()) continue;  // not attached: its rules never match here
        keys.push_back(it->second);
        bits.push_back(1u << i);
      }
      if (!keys.empty())
        k.update_batch(g.maps.at(m.name), m.name, keys.data(), bits.data(), static_cast<uint32_t>(keys.size()));
    }
    for (const auto& obj : b.plan.objects)
      for (const auto& p : obj.programs)
        if (p.hook == backend::Hook::TailCall) k.set_prog(g.maps.at(SN_MAP_CHAIN), SN_MAP_CHAIN, p.slot, g.progs.at(p.name));
  } catch (const bpf::BpfError& e) {
    throw Error("fill", e.what(), e.log());
  }
  return g;
}

std::vector<uint8_t> arp_frame() {
  std::vector<uint8_t> f(42, 0);
  std::memset(f.data(), 0xff, 6);  // broadcast
  const uint8_t src[6] = {0x02, 0, 0, 0, 0, 1};
  std::memcpy(f.data() + 6, src, 6);
  f[12] = 0x08, f[13] = 0x06;                       // ARP
  const uint8_t arp[8] = {0, 1, 8, 0, 6, 4, 0, 1};  // ethernet/IPv4 request
  std::memcpy(f.data() + 14, arp, 8);
  std::memcpy(f.data() + 22, src, 6);
  return f;
}

std::vector<uint8_t> ipv4_tcp_frame(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport) {
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

std::vector<uint8_t> xdp_meta(bool quiet, std::optional<uint64_t> time_ns) {
  sn_xdp_meta m{};
  m.magic = SN_META_MAGIC;
  m.flags = static_cast<uint16_t>((quiet ? SN_META_QUIET : 0) | (time_ns ? SN_META_CLOCK : 0));
  m.time_ns = time_ns.value_or(0);
  std::vector<uint8_t> out(sizeof m);
  std::memcpy(out.data(), &m, sizeof m);
  return out;
}

std::array<uint32_t, 5> tc_cb(bool quiet, std::optional<uint64_t> time_ns) {
  uint64_t t = time_ns.value_or(0);
  return {SN_META_MAGIC, static_cast<uint32_t>((quiet ? SN_META_QUIET : 0) | (time_ns ? SN_META_CLOCK : 0)),
          static_cast<uint32_t>(t), static_cast<uint32_t>(t >> 32), SN_META_MAGIC};
}

void smoke_test(bpf::Kernel& k, const LoadedGeneration& g) {
  try {
    auto meta = xdp_meta(true, std::nullopt);
    // TEST-NET-1 addresses and the discard port: what any policy may judge.
    auto tcp = ipv4_tcp_frame(htonl(0xc0000201), htonl(0xc0000202), 9, 9);
    for (const auto& [hook, name] : g.entries) {
      const bpf::Fd& prog = g.progs.at(name);
      if (hook == backend::Hook::Xdp) {
        auto r = k.test_run(prog, arp_frame(), 1, meta);
        if (r.retval != kXdpPass)
          throw Error("smoke test", name + ": an ARP frame got XDP action " + std::to_string(r.retval) +
                                        ", expected XDP_PASS");
        auto t = k.test_run(prog, tcp, 1, meta);
        if (t.retval != kXdpPass && t.retval != kXdpDrop)
          throw Error("smoke test", name + ": an IPv4 TCP frame got XDP action " + std::to_string(t.retval) +
                                        ", expected XDP_PASS or XDP_DROP");
      } else {
        auto t = k.test_run_tc(prog, tcp, 1, tc_cb(true, std::nullopt));
        auto rc = static_cast<int32_t>(t.retval);
        if (rc != -1 && rc != 0 && rc != 2)
          throw Error("smoke test", name + ": an IPv4 TCP frame got TC verdict " + std::to_string(rc) +
                                        ", expected TCX_NEXT, TCX_PASS or TCX_DROP");
      }
    }
  } catch (const bpf::BpfError& e) {
    throw Error("smoke test", e.what());
  }
}

}  // namespace sentinel::enforcer::core
