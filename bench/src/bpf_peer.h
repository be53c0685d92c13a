// The bench's own kernel access: loading the peer XDP programs from their
// object files, filling the linear peer's rules, BPF_PROG_TEST_RUN with a
// repeat count, and the memory of a loaded program's maps. Kept inside
// bench/ so the product's kernel layer stays free of benchmark concerns.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

struct bench_linear_rule;
struct bpf_object;

namespace sentinel::bench {

// One loaded XDP program and its object; closed on destruction.
class BpfPeer {
 public:
  // Opens `path`, writes `rodata` into the object's .rodata (when given),
  // sets max_entries by map name, loads. Throws std::runtime_error.
  BpfPeer(const std::string& path, const std::string& prog,
          std::span<const uint8_t> rodata = {},
          const std::vector<std::pair<std::string, uint32_t>>& max_entries = {});
  ~BpfPeer();
  BpfPeer(const BpfPeer&) = delete;
  BpfPeer& operator=(const BpfPeer&) = delete;

  int map_fd(const std::string& name) const;
  int prog_fd() const { return prog_fd_; }
  uint32_t prog_id() const;

 private:
  ::bpf_object* obj_ = nullptr;
  int prog_fd_ = -1;
};

// One BPF_PROG_TEST_RUN: the XDP action and the kernel's average ns.
struct RunResult {
  uint32_t retval = 0;
  double ns = 0;
};
RunResult test_run(int prog_fd, std::span<const uint8_t> frame, uint32_t repeat);

// Writes `rules` into the linear peer's array map in one batch.
void fill_linear(int map_fd, const std::vector<bench_linear_rule>& rules);

// Memory of every map a program uses: the kernel's own accounting
// (fdinfo "memlock") and the nominal (key + value) x max_entries.
struct MapMemory {
  std::string name;
  uint64_t memlock = 0;
  uint64_t nominal = 0;
};
std::vector<MapMemory> prog_map_memory(uint32_t prog_id);
// The same for one map by descriptor (a generation's maps, which the test
// harness hands out by name).
MapMemory map_memory(int map_fd);

}  // namespace sentinel::bench
