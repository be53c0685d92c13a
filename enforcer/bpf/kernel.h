// What the enforcer core needs from the kernel, and nothing more. The libbpf
// implementation (libbpf_kernel.h) is the only code that talks to the kernel;
// the in-memory fake (fake_kernel.h) lets the core's swap, rollback and
// failure logic be tested without privileges. Every call throws BpfError.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "enforcer/bpf/error.h"
#include "enforcer/bpf/fd.h"

namespace sentinel::enforcer::bpf {

using Bytes = std::vector<uint8_t>;

enum class MapKind { Array, Hash, PercpuArray, PercpuHash, LruHash, Ringbuf, ProgArray, Other };
const char* to_string(MapKind k);

struct MapInfo {
  MapKind kind = MapKind::Other;
  uint32_t id = 0;
  uint32_t key_size = 0;
  uint32_t value_size = 0;
  uint32_t max_entries = 0;
  uint32_t flags = 0;
  bool percpu() const { return kind == MapKind::PercpuArray || kind == MapKind::PercpuHash; }
};

// A map as an object declares it, before anything is created.
struct MapDecl {
  std::string name;
  MapInfo info;       // id is 0
  bool internal = false;  // .rodata*, .data*, .bss: the object's own globals
};

// What an ELF object holds, read without loading anything.
struct ObjectInfo {
  std::vector<MapDecl> maps;
  std::vector<std::string> programs;
};

// What to load: some programs of one ELF object, with overrides applied
// between open and load.
struct LoadSpec {
  std::string what;  // for messages: "generation 3 object firewall/program.o"
  std::span<const uint8_t> elf;
  std::vector<std::string> programs;  // the programs to load; others stay out
  // Initial contents of internal maps, by libbpf map name (".rodata.sncfg").
  std::map<std::string, Bytes> initial_values;
  std::map<std::string, uint32_t> max_entries;
  // Maps that must not be created but taken from existing ones (host state
  // of earlier generations, maps another object of this generation made).
  std::map<std::string, Fd> reuse;
};

struct Loaded {
  std::map<std::string, Fd> progs;        // by program name
  std::map<std::string, uint32_t> prog_ids;
  std::map<std::string, Fd> maps;         // every map of the object, by libbpf name
};

enum class AttachMode { None, Native, Skb };
const char* to_string(AttachMode m);

enum class LinkKind { Xdp, TcxIngress, TcxEgress, Other };

struct LinkInfo {
  LinkKind kind = LinkKind::Other;
  uint32_t prog_id = 0;
  uint32_t ifindex = 0;  // 0 when the device it was attached to is gone
};

struct TestRunResult {
  uint32_t retval = 0;       // the XDP action, or the TC return code as unsigned
  uint32_t duration_ns = 0;  // average per repetition
};

struct Features {
  bool bpffs = false;  // the root is on a mounted bpffs
  bool ringbuf = false;
  bool xdp = false;
  bool btf = false;  // kernel BTF (/sys/kernel/btf/vmlinux)
  bool tc = false;   // sched_cls programs load
};

// A consumer of BPF ring buffers.
class RingReader {
 public:
  virtual ~RingReader() = default;
  // Waits up to timeout_ms for records; returns how many were consumed.
  virtual int poll(int timeout_ms) = 0;
};

struct RingSpec {
  Fd ring;
  std::string name;
  std::function<void(std::span<const uint8_t>)> on_record;
};

class Kernel {
 public:
  virtual ~Kernel() = default;

  virtual Features features(const std::string& bpffs_root) = 0;
  virtual unsigned possible_cpus() = 0;
  // The network namespace of the calling thread: a cookie unique for the
  // boot (SO_NETNS_COOKIE), never reused while the machine is up.
  virtual uint64_t netns_cookie() = 0;
  // Interfaces of the calling thread's namespace: the index of a name (0:
  // none), the current name of an index ("" : none).
  virtual uint32_t ifindex_of(const std::string& name) = 0;
  virtual std::string ifname_of(uint32_t ifindex) = 0;

  virtual ObjectInfo inspect(std::span<const uint8_t> elf, const std::string& what) = 0;
  // Opens, applies the overrides, loads. On failure nothing stays loaded.
  virtual Loaded load(const LoadSpec& spec) = 0;

  virtual MapInfo map_info(const Fd& map, const std::string& name) = 0;
  virtual uint32_t prog_id(const Fd& prog) = 0;
  virtual Fd prog_by_id(uint32_t id) = 0;

  // `keys` holds count * key_size bytes, `values` count * value_size (per-CPU
  // maps: value_size rounded up to 8, times possible_cpus()).
  virtual void update_batch(const Fd& map, const std::string& name, const void* keys, const void* values,
                            uint32_t count) = 0;
  // Inserts only when absent; returns false when the key already exists.
  virtual bool insert(const Fd& map, const std::string& name, const void* key, const void* value) = 0;
  // Returns false when the key is absent. `key` and `value` must be exactly
  // the map's record sizes (per-CPU maps: value_size rounded up to 8, times
  // possible_cpus()), or it throws: a pinned map of another shape is an
  // error, never a write past a buffer.
  virtual bool lookup_bytes(const Fd& map, const std::string& name, std::span<const uint8_t> key,
                            std::span<uint8_t> value) = 0;
  // The same with typed buffers: `n` values (per-CPU maps: one per CPU).
  template <class K, class V>
  bool lookup(const Fd& map, const std::string& name, const K* key, V* value, size_t n = 1) {
    return lookup_bytes(map, name, {reinterpret_cast<const uint8_t*>(key), sizeof(K)},
                        {reinterpret_cast<uint8_t*>(value), sizeof(V) * n});
  }
  // Returns false when the key was absent.
  virtual bool erase(const Fd& map, const std::string& name, const void* key) = 0;
  // Every key of a hash map (a snapshot; entries may come and go meanwhile).
  virtual std::vector<Bytes> keys(const Fd& map, const std::string& name) = 0;
  // Program arrays: put a program in a slot, empty a slot, read its program id (0: empty).
  virtual void set_prog(const Fd& prog_array, const std::string& name, uint32_t index, const Fd& prog) = 0;
  virtual void clear_prog(const Fd& prog_array, const std::string& name, uint32_t index) = 0;
  virtual uint32_t prog_in(const Fd& prog_array, const std::string& name, uint32_t index) = 0;
  // An enforcer-owned plain array map (metadata).
  virtual Fd create_array(const std::string& name, uint32_t value_size, uint32_t max_entries) = 0;

  // bpffs. get_pinned returns an empty Fd when nothing is pinned there;
  // unpin and remove_dir are quiet when the path is already gone.
  virtual void pin(const Fd& obj, const std::string& path) = 0;
  virtual Fd get_pinned(const std::string& path) = 0;
  virtual void unpin(const std::string& path) = 0;
  virtual void make_dir(const std::string& path) = 0;
  virtual void remove_dir(const std::string& path) = 0;
  virtual std::vector<std::string> list_dir(const std::string& path) = 0;
  // An exclusive advisory lock on a bpffs directory (flock), held until the
  // returned handle goes away: serializes enforcers.
  virtual std::shared_ptr<void> lock_dir(const std::string& path) = 0;

  // Links on `ifindex` in the calling thread's network namespace. XDP:
  // native mode first, generic (SKB) mode when the driver has none. TCX:
  // a raw bpf_link_create with BPF_TCX_INGRESS / BPF_TCX_EGRESS.
  virtual Fd create_xdp_link(const Fd& prog, int ifindex, AttachMode* mode) = 0;
  virtual Fd create_tcx_link(const Fd& prog, int ifindex, bool ingress) = 0;
  // Compare-and-swap: replaces the link's program only if it still runs
  // `expected_old` (BPF_F_REPLACE).
  virtual void link_update(const Fd& link, const Fd& new_prog, const Fd& expected_old) = 0;
  virtual LinkInfo link_info(const Fd& link) = 0;
  virtual AttachMode xdp_mode(int ifindex) = 0;

  // BPF_PROG_TEST_RUN of one frame, `repeat` times (at least 1). XDP: `meta`,
  // when not empty, is placed in the metadata area in front of the frame;
  // `ingress_ifindex`, when not 0, is the interface the frame arrives on (it
  // must exist in the caller's network namespace).
  // TC (sched_cls): `cb` is __sk_buff cb[0..4].
  virtual TestRunResult test_run(const Fd& prog, std::span<const uint8_t> frame, uint32_t repeat,
                                 std::span<const uint8_t> meta = {}, uint32_t ingress_ifindex = 0) = 0;
  virtual TestRunResult test_run_tc(const Fd& prog, std::span<const uint8_t> frame, uint32_t repeat,
                                    const std::array<uint32_t, 5>& cb) = 0;

  virtual std::unique_ptr<RingReader> ring_reader(std::vector<RingSpec> rings) = 0;
};

}  // namespace sentinel::enforcer::bpf
