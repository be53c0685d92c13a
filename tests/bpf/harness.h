// Test harness for the BPF templates: objects loaded with libbpf, maps
// filled by hand with ABI structs, frames built byte by byte, and runs
// through BPF_PROG_TEST_RUN with the test clock of meta.h.
#pragma once
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "compiler/dplan/classifier.h"
#include "compiler/lower/plan/cls_tree.h"

#include "sentinel/abi/classify.h"
#include "sentinel/abi/common.h"
#include "sentinel/abi/meta.h"

namespace snt {

using Bytes = std::vector<uint8_t>;

// Object files compiled by CMake, one per template variant.
std::string object_path(const std::string& variant);

// One BPF object: open, configure, load; owns its maps and programs.
class Object {
 public:
  explicit Object(const std::string& variant);
  ~Object();
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;

  template <class T>
  Object& config(const T& cfg) {
    return config_bytes(&cfg, sizeof cfg);
  }
  Object& config_bytes(const void* p, size_t n);
  Object& max_entries(const char* map, uint32_t n);
  // Shares `map` with another object: the map of that name is not created.
  Object& reuse(const char* map, int fd);
  Object& reuse(const char* map, const Object& from) { return reuse(map, from.map(map)); }
  // Loads only this program of the object (the enforcer's way).
  Object& only(const char* prog);
  Object& load();

  int prog(const char* name) const;
  int map(const char* name) const;
  bpf_object* raw() const { return obj_; }
  // Instructions the verifier processed for `prog` (bpf_prog_info).
  uint32_t verified_insns(const char* prog) const;

 private:
  std::string variant_;
  bpf_object* obj_ = nullptr;
};

// ---- maps

template <class K, class V>
void put(int fd, const K& k, const V& v, uint64_t flags = BPF_ANY) {
  if (bpf_map_update_elem(fd, &k, &v, flags))
    throw std::runtime_error("map update failed: " + std::string(strerror(errno)));
}

template <class K, class V>
std::optional<V> get(int fd, const K& k) {
  V v{};
  if (bpf_map_lookup_elem(fd, &k, &v)) return std::nullopt;
  return v;
}

void put_prog(int prog_array_fd, uint32_t slot, int prog_fd);

// Sum over CPUs of a per-CPU hash of struct sn_counter; nullopt if absent.
std::optional<sn_counter> counter(int fd, uint64_t key);
// Sum over CPUs of the one entry of a ring's stats map.
sn_ring_stats ring_stats(int fd);
// Sum over CPUs of a PERCPU_ARRAY of __u64 at index i.
uint64_t percpu_u64(int fd, uint32_t i);
size_t map_entries(int fd);  // keys in a hash map

// Every record in a ring buffer, consumed.
std::vector<Bytes> drain(int ring_fd);

template <class T>
T record_as(const Bytes& b) {
  if (b.size() < sizeof(T)) throw std::runtime_error("short ring record");
  T t;
  std::memcpy(&t, b.data(), sizeof t);
  return t;
}

// ---- frames

uint32_t ip4(const char* s);            // network order
std::array<uint32_t, 4> ip6(const char* s);  // network order words

namespace tcpf {
constexpr uint8_t FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20;
}

Bytes tcp(uint16_t sport, uint16_t dport, uint8_t flags);
Bytes udp(uint16_t sport, uint16_t dport, size_t payload = 8);
Bytes icmp(uint8_t type, uint8_t code, uint16_t id = 0, const Bytes& body = {});
// IPv4 header + payload; frag_off in host order (flags and offset).
Bytes v4(const char* src, const char* dst, uint8_t proto, const Bytes& payload,
         uint16_t frag_off = 0, uint8_t ihl = 5);
// IPv6 header + payload (extension headers already in the payload).
Bytes v6(const char* src, const char* dst, uint8_t nexthdr, const Bytes& payload);
// IPv6 extension headers: generic (hop-by-hop, routing, destination) of
// len bytes (a multiple of 8), fragment, authentication (len: multiple of 4).
Bytes ext(uint8_t next, size_t len);
Bytes frag6(uint8_t next, uint16_t offset_bytes, bool more);
Bytes ah(uint8_t next, size_t len);
Bytes cat(std::initializer_list<Bytes> parts);
// Ethernet frame around an L3 packet; vlans: TPIDs of the tags, outer first.
Bytes eth(uint16_t type, const Bytes& l3, std::initializer_list<uint16_t> vlans = {});
Bytes eth4(const Bytes& l3, std::initializer_list<uint16_t> vlans = {});
Bytes eth6(const Bytes& l3, std::initializer_list<uint16_t> vlans = {});

// ---- runs

struct Meta {
  uint16_t flags = 0;
  uint64_t time_ns = 0;
  uint16_t bank = 0;
};
inline Meta clock_at(uint64_t t) { return {SN_META_CLOCK, t, 0}; }
inline Meta quiet_at(uint64_t t) { return {SN_META_CLOCK | SN_META_QUIET, t, 0}; }

struct XdpRun {
  int ret = -1;
  uint32_t duration = 0;  // ns per run
  Bytes meta_out;         // the metadata area after the run
  Bytes data_out;         // the frame after the run
};
// Runs an XDP program; with `meta`, a struct sn_xdp_meta sits in front of the
// frame (BPF_PROG_TEST_RUN puts it in the metadata area).
XdpRun xdp(int prog, const Bytes& frame, std::optional<Meta> meta = std::nullopt,
           uint32_t repeat = 1, uint32_t ifindex = 0);

struct TcRun {
  int ret = 0;
  uint32_t duration = 0;
};
// Runs a TC program; with `meta`, cb[] carries the words of meta.h.
TcRun tc(int prog, const Bytes& frame, std::optional<Meta> meta = std::nullopt,
         uint32_t repeat = 1);

// XDP verdicts and the TCX "next".
constexpr int kAborted = 0, kDrop = 1, kPass = 2;
constexpr int kTcxNext = -1;

// ---- classification images, built like the compiler builds them

struct ClsRule {
  uint8_t family = 4;
  const char* src = nullptr;  // CIDR, nullptr = any
  const char* dst = nullptr;
  int proto = -1;  // -1 = any
  int sport = -1;  // -1 = any
  int dport = -1;
  uint16_t sport_mask = 0xffff;  // a port prefix: value and mask
  uint16_t dport_mask = 0xffff;
  int ct = -1;  // enum sn_ct_pkt_state, -1 = any
};
// The records of a rule list and the compiler's decision trees over them
// (compiler/lower/plan/cls_tree.h): what a domain's image holds. steps()
// goes into the rodata.
struct ClsImage {
  sentinel::dplan::ClassifierPlan plan;
  uint32_t steps() const { return plan.steps; }
};
ClsImage build_cls(const std::vector<ClsRule>& rules);
// Sizes the three maps of `prefix` ("sn_fw", "sn_rl") before load.
void size_cls(Object& o, const std::string& prefix, const ClsImage& img);
void write_cls(Object& o, const std::string& prefix, const ClsImage& img);

}  // namespace snt
