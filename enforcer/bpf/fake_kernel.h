// An in-memory Kernel for unit tests of the core: objects, pins, links,
// prog arrays and maps as plain data, every call recorded in `ops` (to
// check the order of a switch), and failures injectable at any call (to
// check that a failed apply leaves the running generation untouched).
// Objects are real ELF files, read by libbpf without the kernel: the fake
// creates the maps they declare and "loads" the programs they have.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "enforcer/bpf/kernel.h"

namespace sentinel::enforcer::bpf {

class FakeKernel : public Kernel {
 public:
  struct Map {
    std::string name;
    MapInfo info;
    std::map<Bytes, Bytes> data;
  };
  struct Prog {
    std::string name;
    std::string object;  // LoadSpec::what
  };
  struct Link {
    LinkKind kind = LinkKind::Xdp;
    int prog = 0;
    uint32_t ifindex = 0;
    AttachMode mode = AttachMode::Native;
  };

  FakeKernel() = default;
  // Open link handles point back at the fake: it cannot move.
  FakeKernel(const FakeKernel&) = delete;
  FakeKernel& operator=(const FakeKernel&) = delete;

  unsigned cpus = 2;
  bool native_xdp = true;
  uint64_t cookie = 4096;  // the namespace's SO_NETNS_COOKIE
  Features feats{true, true, true, true, true};
  // The namespace's interfaces, by index.
  std::map<uint32_t, std::string> interfaces{{1, "lo"}};
  // Decides the verdict of a test run (XDP action, or TC code as unsigned);
  // by default XDP passes and TC says TCX_NEXT.
  std::function<uint32_t(const Prog&, std::span<const uint8_t>)> program = [](const Prog&,
                                                                             std::span<const uint8_t>) {
    return 2u;
  };
  std::function<uint32_t(const Prog&, std::span<const uint8_t>)> tc_program =
      [](const Prog&, std::span<const uint8_t>) { return static_cast<uint32_t>(-1); };

  // Makes the `nth` next call of `op` fail: "load" (a whole object),
  // "verifier" (one program), "map_create", "update_batch", "insert",
  // "set_prog", "pin", "make_dir", "link_create", "link_update",
  // "test_run", "create_array", "unpin", "erase", "lock".
  void fail(const std::string& op, int nth = 1) { faults_[op] = nth; }
  // Fails the next call of `op` whose object or path contains `what`.
  void fail_on(const std::string& op, const std::string& what) { targeted_[op] = what; }
  // Runs at the start of link_update: lets a test switch the link behind
  // the caller's back, as a concurrent enforcer would.
  std::function<void()> before_link_update;

  // Takes an interface away (its links then report ifindex 0), or renames it.
  void delete_interface(uint32_t ifindex);
  void rename_interface(uint32_t ifindex, const std::string& name) { interfaces.at(ifindex) = name; }

  // Everything the kernel and bpffs hold, without the fake's knobs. A
  // process killed mid-operation leaves exactly this behind, minus what only
  // its open handles kept alive (restore() drops those links).
  struct State {
    std::map<int, Map> maps;
    std::map<int, Prog> progs;
    std::map<int, Link> links;
    std::map<std::string, int> pins;
    std::set<std::string> dirs;
    std::map<uint32_t, std::string> interfaces;
    uint64_t cookie = 0;
    int next_id = 0;
  };
  State state() const;
  // Becomes the kernel a fresh process finds after the one that left
  // `s` died: links that nothing pins are gone with that process's handles.
  // Faults, the op log and checkpoints are cleared.
  void restore(const State& s);
  // While set, every call that changes something first records the state
  // as it is just before it: a kill point. Together with state() after the
  // operation returns, these are every state a kill can leave.
  struct Checkpoint {
    std::string next_op;
    State state;
  };
  bool checkpointing = false;
  std::vector<Checkpoint> checkpoints;

  std::vector<std::string> ops;  // "load dispatcher", "update_batch sn_select", "pin /x", "make_dir /x", ...
  std::map<int, Map> maps;
  std::map<int, Prog> progs;
  std::map<int, Link> links;
  std::map<std::string, int> pins;
  std::set<std::string> dirs;

  Map& map_at(const std::string& pinned_path);
  bool pinned(const std::string& path) const { return pins.count(path) != 0; }
  // The program a link runs now, through the pinned link at `path`.
  const Prog* link_prog(const std::string& path) const;
  // Counts of ops that start with `prefix`.
  size_t count_ops(const std::string& prefix) const;

  Features features(const std::string& root) override;
  unsigned possible_cpus() override { return cpus; }
  uint64_t netns_cookie() override { return cookie; }
  uint32_t ifindex_of(const std::string& name) override;
  std::string ifname_of(uint32_t ifindex) override;
  ObjectInfo inspect(std::span<const uint8_t> elf, const std::string& what) override;
  Loaded load(const LoadSpec& spec) override;
  MapInfo map_info(const Fd& map, const std::string& name) override;
  uint32_t prog_id(const Fd& prog) override;
  Fd prog_by_id(uint32_t id) override;
  void update_batch(const Fd& map, const std::string& name, const void* keys, const void* values,
                    uint32_t count) override;
  bool insert(const Fd& map, const std::string& name, const void* key, const void* value) override;
  bool lookup_bytes(const Fd& map, const std::string& name, std::span<const uint8_t> key,
                    std::span<uint8_t> value) override;
  bool erase(const Fd& map, const std::string& name, const void* key) override;
  std::vector<Bytes> keys(const Fd& map, const std::string& name) override;
  void set_prog(const Fd& prog_array, const std::string& name, uint32_t index, const Fd& prog) override;
  void clear_prog(const Fd& prog_array, const std::string& name, uint32_t index) override;
  uint32_t prog_in(const Fd& prog_array, const std::string& name, uint32_t index) override;
  Fd create_array(const std::string& name, uint32_t value_size, uint32_t max_entries) override;
  void pin(const Fd& obj, const std::string& path) override;
  Fd get_pinned(const std::string& path) override;
  void unpin(const std::string& path) override;
  void make_dir(const std::string& path) override;
  void remove_dir(const std::string& path) override;
  std::vector<std::string> list_dir(const std::string& path) override;
  std::shared_ptr<void> lock_dir(const std::string& path) override;
  Fd create_xdp_link(const Fd& prog, int ifindex, AttachMode* mode) override;
  Fd create_tcx_link(const Fd& prog, int ifindex, bool ingress) override;
  void link_update(const Fd& link, const Fd& new_prog, const Fd& expected_old) override;
  LinkInfo link_info(const Fd& link) override;
  AttachMode xdp_mode(int ifindex) override;
  TestRunResult test_run(const Fd& prog, std::span<const uint8_t> frame, uint32_t repeat,
                         std::span<const uint8_t> meta, uint32_t ingress_ifindex) override;
  TestRunResult test_run_tc(const Fd& prog, std::span<const uint8_t> frame, uint32_t repeat,
                            const std::array<uint32_t, 5>& cb) override;
  std::unique_ptr<RingReader> ring_reader(std::vector<RingSpec> rings) override;

  // Bytes of one stored value: per-CPU maps hold one slot per CPU.
  size_t value_bytes(const MapInfo& i) const;

 private:
  void maybe_fail(const std::string& op, ErrorKind kind, const std::string& object);
  // Logs a call that may change state (and checkpoints before it).
  void note(std::string op);
  Fd handle(int id) const { return Fd(id, nullptr); }
  // A link lives while it is pinned or a handle to it is open, as in the
  // kernel: a link made but never pinned goes away with its last handle.
  struct LinkHandles {
    FakeKernel* owner;
    std::map<int, int> open;
  };
  Fd link_handle(int id);
  void drop_link_if_unused(int id);
  std::shared_ptr<LinkHandles> link_handles_ = std::make_shared<LinkHandles>(LinkHandles{this, {}});
  Map& map_of(const Fd& fd, const std::string& name);
  int next_id_ = 100;
  std::map<std::string, int> faults_;
  std::map<std::string, std::string> targeted_;
  bool locked_ = false;
};

}  // namespace sentinel::enforcer::bpf
