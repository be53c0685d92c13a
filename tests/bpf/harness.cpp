#include "harness.h"

#include <arpa/inet.h>
#include <linux/if_link.h>

#include <algorithm>
#include <cstdarg>
#include <map>
#include <tuple>

namespace snt {

namespace {

// libbpf's messages (the verifier log among them) for the error of a load.
std::string& log_text() {
  static std::string s;
  return s;
}

int capture(enum libbpf_print_level level, const char* fmt, va_list ap) {
  if (level == LIBBPF_DEBUG) return 0;
  char buf[8192];
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  log_text() += buf;
  if (log_text().size() > (1u << 20)) log_text().erase(0, log_text().size() - (1u << 20));
  return n;
}

[[noreturn]] void fail(const std::string& what, int err) {
  throw std::runtime_error(what + ": " + strerror(err < 0 ? -err : err) + "\n" + log_text());
}

}  // namespace

std::string object_path(const std::string& variant) {
  return std::string(SN_BPF_OBJ_DIR) + "/" + variant + ".bpf.o";
}

Object::Object(const std::string& variant) : variant_(variant) {
  libbpf_set_print(capture);
  obj_ = bpf_object__open_file(object_path(variant).c_str(), nullptr);
  if (!obj_) fail("open " + object_path(variant), errno);
}

Object::~Object() { bpf_object__close(obj_); }

Object& Object::config_bytes(const void* p, size_t n) {
  bpf_map* m = bpf_object__find_map_by_name(obj_, ".rodata.sncfg");
  if (!m) fail(variant_ + ": no .rodata.sncfg", ENOENT);
  if (int err = bpf_map__set_initial_value(m, p, n)) fail(variant_ + ": set .rodata.sncfg", err);
  return *this;
}

Object& Object::max_entries(const char* map, uint32_t n) {
  bpf_map* m = bpf_object__find_map_by_name(obj_, map);
  if (!m) fail(variant_ + ": no map " + map, ENOENT);
  if (int err = bpf_map__set_max_entries(m, n)) fail(variant_ + ": max_entries " + map, err);
  return *this;
}

Object& Object::reuse(const char* map, int fd) {
  bpf_map* m = bpf_object__find_map_by_name(obj_, map);
  if (!m) fail(variant_ + ": no map " + map, ENOENT);
  if (int err = bpf_map__reuse_fd(m, fd)) fail(variant_ + ": reuse " + map, err);
  return *this;
}

Object& Object::only(const char* prog) {
  bpf_program* p;
  bpf_object__for_each_program(p, obj_) {
    bpf_program__set_autoload(p, std::string(bpf_program__name(p)) == prog);
  }
  return *this;
}

Object& Object::load() {
  log_text().clear();
  if (int err = bpf_object__load(obj_)) fail(variant_ + ": load", err);
  return *this;
}

int Object::prog(const char* name) const {
  bpf_program* p = bpf_object__find_program_by_name(obj_, name);
  if (!p || bpf_program__fd(p) < 0) fail(variant_ + ": no loaded program " + name, ENOENT);
  return bpf_program__fd(p);
}

int Object::map(const char* name) const {
  bpf_map* m = bpf_object__find_map_by_name(obj_, name);
  if (!m || bpf_map__fd(m) < 0) fail(variant_ + ": no map " + name, ENOENT);
  return bpf_map__fd(m);
}

uint32_t Object::verified_insns(const char* name) const {
  bpf_prog_info info{};
  uint32_t len = sizeof info;
  if (bpf_obj_get_info_by_fd(prog(name), &info, &len)) fail("prog info", errno);
  return info.verified_insns;
}

void put_prog(int prog_array_fd, uint32_t slot, int prog_fd) {
  if (bpf_map_update_elem(prog_array_fd, &slot, &prog_fd, BPF_ANY))
    fail("prog array slot " + std::to_string(slot), errno);
}

static int ncpus() {
  static int n = libbpf_num_possible_cpus();
  return n;
}

std::optional<sn_counter> counter(int fd, uint64_t key) {
  std::vector<sn_counter> v(ncpus());
  if (bpf_map_lookup_elem(fd, &key, v.data())) return std::nullopt;
  sn_counter sum{};
  for (auto& c : v) {
    sum.packets += c.packets;
    sum.bytes += c.bytes;
  }
  return sum;
}

sn_ring_stats ring_stats(int fd) {
  std::vector<sn_ring_stats> v(ncpus());
  uint32_t zero = 0;
  if (bpf_map_lookup_elem(fd, &zero, v.data())) fail("ring stats", errno);
  sn_ring_stats sum{};
  for (auto& s : v) {
    sum.emitted += s.emitted;
    sum.skipped += s.skipped;
  }
  return sum;
}

uint64_t percpu_u64(int fd, uint32_t i) {
  std::vector<uint64_t> v(ncpus());
  if (bpf_map_lookup_elem(fd, &i, v.data())) fail("percpu array", errno);
  uint64_t sum = 0;
  for (auto x : v) sum += x;
  return sum;
}

size_t map_entries(int fd) {
  bpf_map_info info{};
  uint32_t len = sizeof info;
  if (bpf_obj_get_info_by_fd(fd, &info, &len)) fail("map info", errno);
  Bytes key(info.key_size), next(info.key_size);
  size_t n = 0;
  void* prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, next.data()) == 0) {
    ++n;
    key = next;
    prev = key.data();
  }
  return n;
}

std::vector<Bytes> drain(int ring_fd) {
  std::vector<Bytes> out;
  auto cb = [](void* ctx, void* data, size_t size) -> int {
    auto* v = static_cast<std::vector<Bytes>*>(ctx);
    auto* p = static_cast<uint8_t*>(data);
    v->emplace_back(p, p + size);
    return 0;
  };
  ring_buffer* rb = ring_buffer__new(ring_fd, cb, &out, nullptr);
  if (!rb) fail("ring_buffer__new", errno);
  int n = ring_buffer__consume(rb);
  ring_buffer__free(rb);
  if (n < 0) fail("ring_buffer__consume", n);
  return out;
}

// ---- frames

uint32_t ip4(const char* s) {
  in_addr a{};
  if (inet_pton(AF_INET, s, &a) != 1) throw std::runtime_error(std::string("bad IPv4 ") + s);
  return a.s_addr;
}

std::array<uint32_t, 4> ip6(const char* s) {
  std::array<uint32_t, 4> w{};
  if (inet_pton(AF_INET6, s, w.data()) != 1) throw std::runtime_error(std::string("bad IPv6 ") + s);
  return w;
}

static void be16(Bytes& b, size_t at, uint16_t v) {
  b[at] = v >> 8;
  b[at + 1] = v & 0xff;
}

Bytes tcp(uint16_t sport, uint16_t dport, uint8_t flags) {
  Bytes b(20, 0);
  be16(b, 0, sport);
  be16(b, 2, dport);
  b[12] = 5 << 4;
  b[13] = flags;
  be16(b, 14, 65535);
  return b;
}

Bytes udp(uint16_t sport, uint16_t dport, size_t payload) {
  Bytes b(8 + payload, 0xab);
  be16(b, 0, sport);
  be16(b, 2, dport);
  be16(b, 4, uint16_t(8 + payload));
  be16(b, 6, 0);
  return b;
}

Bytes icmp(uint8_t type, uint8_t code, uint16_t id, const Bytes& body) {
  Bytes b(8, 0);
  b[0] = type;
  b[1] = code;
  be16(b, 4, id);
  be16(b, 6, 1);
  b.insert(b.end(), body.begin(), body.end());
  return b;
}

Bytes v4(const char* src, const char* dst, uint8_t proto, const Bytes& payload, uint16_t frag_off,
         uint8_t ihl) {
  // At least the 20 bytes the fields below live in, whatever IHL claims.
  Bytes b(std::max<size_t>(ihl * 4u, 20), 0);
  b[0] = 0x40 | (ihl & 0xf);
  be16(b, 2, uint16_t(b.size() + payload.size()));
  be16(b, 6, frag_off);
  b[8] = 64;
  b[9] = proto;
  uint32_t s = ip4(src), d = ip4(dst);
  std::memcpy(&b[12], &s, 4);
  std::memcpy(&b[16], &d, 4);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

Bytes v6(const char* src, const char* dst, uint8_t nexthdr, const Bytes& payload) {
  Bytes b(40, 0);
  b[0] = 0x60;
  be16(b, 4, uint16_t(payload.size()));
  b[6] = nexthdr;
  b[7] = 64;
  auto s = ip6(src), d = ip6(dst);
  std::memcpy(&b[8], s.data(), 16);
  std::memcpy(&b[24], d.data(), 16);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

Bytes ext(uint8_t next, size_t len) {
  if (len < 8 || len % 8) throw std::runtime_error("extension header length");
  Bytes b(len, 0);
  b[0] = next;
  b[1] = uint8_t(len / 8 - 1);
  return b;
}

Bytes frag6(uint8_t next, uint16_t offset_bytes, bool more) {
  Bytes b(8, 0);
  b[0] = next;
  be16(b, 2, uint16_t((offset_bytes & 0xfff8) | (more ? 1 : 0)));
  b[7] = 0x2a;  // identification
  return b;
}

Bytes ah(uint8_t next, size_t len) {
  if (len < 12 || len % 4) throw std::runtime_error("AH length");
  Bytes b(len, 0);
  b[0] = next;
  b[1] = uint8_t(len / 4 - 2);
  return b;
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes b;
  for (auto& p : parts) b.insert(b.end(), p.begin(), p.end());
  return b;
}

Bytes eth(uint16_t type, const Bytes& l3, std::initializer_list<uint16_t> vlans) {
  Bytes b = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1};
  uint16_t vid = 10;
  for (uint16_t tpid : vlans) {
    b.push_back(tpid >> 8);
    b.push_back(tpid & 0xff);
    b.push_back(0);
    b.push_back(uint8_t(vid++));
  }
  b.push_back(type >> 8);
  b.push_back(type & 0xff);
  b.insert(b.end(), l3.begin(), l3.end());
  return b;
}

Bytes eth4(const Bytes& l3, std::initializer_list<uint16_t> vlans) { return eth(0x0800, l3, vlans); }
Bytes eth6(const Bytes& l3, std::initializer_list<uint16_t> vlans) { return eth(0x86dd, l3, vlans); }

// ---- runs

XdpRun xdp(int prog, const Bytes& frame, std::optional<Meta> meta, uint32_t repeat,
           uint32_t ifindex) {
  Bytes in;
  if (meta) {
    sn_xdp_meta m{SN_META_MAGIC, meta->bank, meta->flags, meta->time_ns};
    auto* p = reinterpret_cast<uint8_t*>(&m);
    in.insert(in.end(), p, p + sizeof m);
  }
  size_t meta_len = in.size();
  in.insert(in.end(), frame.begin(), frame.end());
  Bytes out(in.size() + 256);
  xdp_md ctx_in{}, ctx_out{};
  ctx_in.data = uint32_t(meta_len);
  ctx_in.data_end = uint32_t(in.size());
  ctx_in.ingress_ifindex = ifindex;
  LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in.data(), .data_out = out.data(),
              .data_size_in = uint32_t(in.size()), .data_size_out = uint32_t(out.size()),
              .ctx_in = &ctx_in, .ctx_out = &ctx_out, .ctx_size_in = sizeof ctx_in,
              .ctx_size_out = sizeof ctx_out, .repeat = int(repeat));
  if (int err = bpf_prog_test_run_opts(prog, &o)) fail("xdp test run", err ? errno : 0);
  XdpRun r;
  r.ret = int(o.retval);
  r.duration = o.duration;
  size_t n = o.data_size_out, m = std::min<size_t>(ctx_out.data, n);
  r.meta_out.assign(out.begin(), out.begin() + m);
  r.data_out.assign(out.begin() + m, out.begin() + n);
  return r;
}

TcRun tc(int prog, const Bytes& frame, std::optional<Meta> meta, uint32_t repeat) {
  __sk_buff skb{};
  if (meta) {
    skb.cb[SN_TC_CB_MAGIC_WORD] = SN_META_MAGIC;
    skb.cb[SN_TC_CB_FLAGS_WORD] = meta->flags;
    skb.cb[SN_TC_CB_TIME_LO] = uint32_t(meta->time_ns);
    skb.cb[SN_TC_CB_TIME_HI] = uint32_t(meta->time_ns >> 32);
    skb.cb[SN_TC_CB_MAGIC2_WORD] = SN_META_MAGIC;
  }
  LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame.data(),
              .data_size_in = uint32_t(frame.size()), .ctx_in = &skb, .ctx_size_in = sizeof skb,
              .repeat = int(repeat));
  if (bpf_prog_test_run_opts(prog, &o)) fail("tc test run", errno);
  return {int(o.retval), o.duration};
}

// ---- classification

namespace {

void prefix(uint8_t family, const char* cidr, uint32_t addr[4], uint32_t mask[4]) {
  for (int i = 0; i < 4; i++) addr[i] = mask[i] = 0;
  if (!cidr) return;
  std::string s(cidr);
  auto slash = s.find('/');
  int len = slash == std::string::npos ? (family == 4 ? 32 : 128) : std::stoi(s.substr(slash + 1));
  std::string a = s.substr(0, slash);
  if (family == 4) {
    addr[0] = ip4(a.c_str());
  } else {
    auto w = ip6(a.c_str());
    for (int i = 0; i < 4; i++) addr[i] = w[i];
  }
  for (int i = 0; i < 4; i++) {
    int bits = std::max(0, std::min(32, len - 32 * i));
    uint32_t host = bits == 0 ? 0 : bits == 32 ? ~0u : ~0u << (32 - bits);
    mask[i] = htonl(host);
    addr[i] &= mask[i];
  }
}

}  // namespace

ClsImage build_cls(const std::vector<ClsRule>& rules) {
  ClsImage img;
  for (uint32_t i = 0; i < rules.size(); i++) {
    const ClsRule& r = rules[i];
    sn_cls_rec rec{};
    rec.rule = i;
    rec.family = r.family;
    uint32_t src[4], dst[4], smask[4], dmask[4];
    prefix(r.family, r.src, src, smask);
    prefix(r.family, r.dst, dst, dmask);
    auto len = [](const uint32_t m[4]) {
      int n = 0;
      for (int w = 0; w < 4; w++) n += __builtin_popcount(m[w]);
      return uint8_t(n);
    };
    rec.src_len = len(smask);
    rec.dst_len = len(dmask);
    for (int w = 0; w < 4; w++) {
      rec.src[w] = ntohl(src[w]);
      rec.dst[w] = ntohl(dst[w]);
    }
    rec.proto = r.proto >= 0 ? uint8_t(r.proto) : 0;
    rec.proto_mask = r.proto >= 0 ? 0xff : 0;
    rec.sport_lo = r.sport >= 0 ? uint16_t(r.sport & r.sport_mask) : 0;
    rec.sport_hi = r.sport >= 0 ? uint16_t(r.sport | uint16_t(~r.sport_mask)) : 0xffff;
    rec.dport_lo = r.dport >= 0 ? uint16_t(r.dport & r.dport_mask) : 0;
    rec.dport_hi = r.dport >= 0 ? uint16_t(r.dport | uint16_t(~r.dport_mask)) : 0xffff;
    rec.flags = (r.sport >= 0 || r.dport >= 0) ? SN_CLS_NEEDS_PORTS : 0;
    rec.ct_states = r.ct >= 0 ? uint8_t(1u << r.ct) : 0;
    img.plan.recs.push_back(rec);
  }
  sentinel::lower::cls::build_trees(img.plan);
  return img;
}

void size_cls(Object& o, const std::string& prefix, const ClsImage& img) {
  auto n = [](size_t k) { return uint32_t(k ? k : 1); };
  o.max_entries((prefix + "_nodes").c_str(), n(img.plan.nodes.size()))
      .max_entries((prefix + "_leaves").c_str(), n(img.plan.leaves.size()))
      .max_entries((prefix + "_recs").c_str(), n(img.plan.recs.size()));
}

void write_cls(Object& o, const std::string& prefix, const ClsImage& img) {
  int nodes = o.map((prefix + "_nodes").c_str()), leaves = o.map((prefix + "_leaves").c_str()),
      recs = o.map((prefix + "_recs").c_str());
  for (uint32_t i = 0; i < img.plan.nodes.size(); i++) put(nodes, i, img.plan.nodes[i]);
  for (uint32_t i = 0; i < img.plan.leaves.size(); i++) put(leaves, i, img.plan.leaves[i]);
  for (uint32_t i = 0; i < img.plan.recs.size(); i++) put(recs, i, img.plan.recs[i]);
}

}  // namespace snt
