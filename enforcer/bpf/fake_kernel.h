// An in-memory Kernel for unit tests of the core: objects, pins, links and
// maps as plain data, every call recorded in `ops` (to check the order of a
// swap), and failures injectable at any call (to check that a failed apply
// leaves the running generation untouched).
#pragma once
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "enforcer/bpf/kernel.h"

namespace sentinel::enforcer::bpf {

struct FakeMapDef {
  std::string name;
  MapKind kind = MapKind::Hash;
  uint32_t key_size = 4;
  uint32_t value_size = 4;
  uint32_t max_entries = 1;
};

class FakeKernel : public Kernel {
 public:
  struct Map {
    std::string name;
    MapInfo info;
    std::map<Bytes, Bytes> data;
  };
  struct Prog {
    std::string name;
    std::map<std::string, int> maps;  // name -> map object id
  };
  struct Link {
    int prog = 0;
    int ifindex = 0;
    AttachMode mode = AttachMode::Native;
  };

  // The maps every loaded object has (the object's ELF bytes are ignored).
  std::vector<FakeMapDef> object_maps;
  std::string object_prog = "prog";
  unsigned cpus = 2;
  bool native_xdp = true;
  Features feats{true, true, true, true};
  // Decides the XDP action of a test run; by default every frame passes.
  std::function<uint32_t(const Prog&, std::span<const uint8_t>)> program =
      [](const Prog&, std::span<const uint8_t>) { return 2u; };

  // Makes the `nth` next call of `op` fail ("load", "verifier", "map_create",
  // "update_batch", "insert", "pin", "make_dir", "link_create",
  // "link_update", "test_run", "create_array", "unpin").
  void fail(const std::string& op, int nth = 1) { faults_[op] = nth; }
  // Runs at the start of link_update: lets a test switch the link behind
  // the caller's back, as a concurrent enforcer would.
  std::function<void()> before_link_update;

  std::vector<std::string> ops;  // "load", "update_batch sn_fw_keys", "pin /x", ...
  std::map<int, Map> maps;
  std::map<int, Prog> progs;
  std::map<int, Link> links;
  std::map<std::string, int> pins;
  std::set<std::string> dirs;
  // Every ifindex with an XDP link; attach mode per ifindex.
  std::map<int, int> xdp_links;  // ifindex -> link id

  Map& map_at(const std::string& pinned_path);
  bool pinned(const std::string& path) const { return pins.count(path) != 0; }

  Features features(const std::string& root) override;
  unsigned possible_cpus() override { return cpus; }
  Loaded load(const LoadSpec& spec) override;
  MapInfo map_info(const Fd& map, const std::string& name) override;
  uint32_t prog_id(const Fd& prog) override;
  Fd prog_by_id(uint32_t id) override;
  void update_batch(const Fd& map, const std::string& name, const void* keys,
                    const void* values, uint32_t count) override;
  bool insert(const Fd& map, const std::string& name, const void* key,
              const void* value) override;
  bool lookup(const Fd& map, const std::string& name, const void* key, void* value) override;
  Fd create_array(const std::string& name, uint32_t value_size, uint32_t max_entries) override;
  void pin(const Fd& obj, const std::string& path) override;
  Fd get_pinned(const std::string& path) override;
  void unpin(const std::string& path) override;
  void make_dir(const std::string& path) override;
  void remove_dir(const std::string& path) override;
  std::vector<std::string> list_dir(const std::string& path) override;
  std::shared_ptr<void> lock_dir(const std::string& path) override;
  Fd create_xdp_link(const Fd& prog, int ifindex, AttachMode* mode) override;
  void link_update(const Fd& link, const Fd& new_prog, const Fd& expected_old) override;
  uint32_t link_prog_id(const Fd& link) override;
  AttachMode xdp_mode(int ifindex) override;
  TestRunResult test_run(const Fd& prog, std::span<const uint8_t> frame, uint32_t repeat,
                         std::span<const uint8_t> meta) override;
  std::unique_ptr<RingReader> ring_reader(
      const Fd& ringbuf, std::function<void(std::span<const uint8_t>)> on_record) override;

  // Bytes of one stored value: per-CPU maps hold one slot per CPU.
  size_t value_bytes(const MapInfo& i) const;

 private:
  void maybe_fail(const std::string& op, ErrorKind kind, const std::string& object);
  Fd handle(int id) const { return Fd(id, nullptr); }
  int next_id_ = 100;
  std::map<std::string, int> faults_;
};

}  // namespace sentinel::enforcer::bpf
