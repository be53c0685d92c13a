#include "bench/src/bpf_peer.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

extern "C" {
#include "bench/peers/linear.h"
}

namespace sentinel::bench {
namespace {

[[noreturn]] void fail(const std::string& what, int err) {
  throw std::runtime_error(what + ": " + std::strerror(err < 0 ? -err : err));
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

BpfPeer::BpfPeer(const std::string& path, const std::string& prog, std::span<const uint8_t> rodata,
                 const std::vector<std::pair<std::string, uint32_t>>& max_entries) {
  obj_ = bpf_object__open_file(path.c_str(), nullptr);
  if (!obj_) fail("open " + path, errno);
  try {
    if (!rodata.empty()) {
      bpf_map* ro = nullptr;
      bpf_map* m;
      bpf_object__for_each_map(m, obj_) {
        if (ends_with(bpf_map__name(m), ".rodata")) ro = m;
      }
      if (!ro) throw std::runtime_error(path + ": no .rodata section");
      size_t size = 0;
      const void* cur = bpf_map__initial_value(ro, &size);
      if (!cur || size < rodata.size()) throw std::runtime_error(path + ": .rodata too small");
      std::vector<uint8_t> data(static_cast<const uint8_t*>(cur),
                                static_cast<const uint8_t*>(cur) + size);
      std::memcpy(data.data(), rodata.data(), rodata.size());
      if (int err = bpf_map__set_initial_value(ro, data.data(), data.size()))
        fail("set .rodata", err);
    }
    for (const auto& [name, n] : max_entries) {
      bpf_map* m = bpf_object__find_map_by_name(obj_, name.c_str());
      if (!m) throw std::runtime_error(path + ": no map " + name);
      if (int err = bpf_map__set_max_entries(m, n)) fail("resize " + name, err);
    }
    if (int err = bpf_object__load(obj_)) fail("load " + path, err);
    bpf_program* p = bpf_object__find_program_by_name(obj_, prog.c_str());
    if (!p) throw std::runtime_error(path + ": no program " + prog);
    prog_fd_ = bpf_program__fd(p);
  } catch (...) {
    bpf_object__close(obj_);
    throw;
  }
}

BpfPeer::~BpfPeer() { bpf_object__close(obj_); }

int BpfPeer::map_fd(const std::string& name) const {
  bpf_map* m = bpf_object__find_map_by_name(obj_, name.c_str());
  if (!m) throw std::runtime_error("no map " + name);
  return bpf_map__fd(m);
}

uint32_t BpfPeer::prog_id() const {
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  if (int err = bpf_obj_get_info_by_fd(prog_fd_, &info, &len)) fail("prog info", err);
  return info.id;
}

RunResult test_run(int prog_fd, std::span<const uint8_t> frame, uint32_t repeat) {
  std::vector<uint8_t> out(frame.size() + 256);
  LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame.data(),
              .data_out = out.data(), .data_size_in = static_cast<uint32_t>(frame.size()),
              .data_size_out = static_cast<uint32_t>(out.size()), .repeat = static_cast<int>(repeat));
  if (int err = bpf_prog_test_run_opts(prog_fd, &opts)) fail("BPF_PROG_TEST_RUN", err);
  return {opts.retval, static_cast<double>(opts.duration)};
}

void fill_linear(int map_fd, const std::vector<bench_linear_rule>& rules) {
  std::vector<uint32_t> keys(rules.size());
  for (size_t i = 0; i < keys.size(); ++i) keys[i] = static_cast<uint32_t>(i);
  size_t done = 0;
  while (done < rules.size()) {
    uint32_t count = static_cast<uint32_t>(rules.size() - done);
    LIBBPF_OPTS(bpf_map_batch_opts, opts);
    if (int err = bpf_map_update_batch(map_fd, keys.data() + done, rules.data() + done, &count,
                                       &opts))
      fail("fill linear rules", err);
    done += count;
  }
}

MapMemory map_memory(int mfd) {
  MapMemory mm;
  bpf_map_info mi{};
  uint32_t mlen = sizeof(mi);
  if (int err = bpf_obj_get_info_by_fd(mfd, &mi, &mlen)) fail("map info", err);
  mm.name = mi.name;
  uint64_t per = uint64_t(mi.key_size) + mi.value_size;
  if (mi.type == BPF_MAP_TYPE_PERCPU_ARRAY || mi.type == BPF_MAP_TYPE_PERCPU_HASH ||
      mi.type == BPF_MAP_TYPE_LRU_PERCPU_HASH)
    per = mi.key_size + uint64_t((mi.value_size + 7) / 8 * 8) * libbpf_num_possible_cpus();
  if (mi.type == BPF_MAP_TYPE_RINGBUF) per = 1;
  mm.nominal = per * mi.max_entries;
  std::ifstream f("/proc/self/fdinfo/" + std::to_string(mfd));
  std::string key;
  while (f >> key) {
    if (key == "memlock:") {
      f >> mm.memlock;
      break;
    }
  }
  return mm;
}

std::vector<MapMemory> prog_map_memory(uint32_t prog_id) {
  int pfd = bpf_prog_get_fd_by_id(prog_id);
  if (pfd < 0) fail("prog by id", errno);
  std::vector<uint32_t> ids(64);
  bpf_prog_info info{};
  info.nr_map_ids = static_cast<uint32_t>(ids.size());
  info.map_ids = reinterpret_cast<uint64_t>(ids.data());
  uint32_t len = sizeof(info);
  int err = bpf_obj_get_info_by_fd(pfd, &info, &len);
  close(pfd);
  if (err) fail("prog info", err);
  std::vector<MapMemory> out;
  for (uint32_t i = 0; i < info.nr_map_ids && i < ids.size(); ++i) {
    int mfd = bpf_map_get_fd_by_id(ids[i]);
    if (mfd < 0) continue;
    try {
      out.push_back(map_memory(mfd));
    } catch (const std::runtime_error&) {
    }
    close(mfd);
  }
  return out;
}

}  // namespace sentinel::bench
