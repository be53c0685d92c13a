#include "enforcer/bpf/libbpf_kernel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <algorithm>
#include <regex>

namespace sentinel::enforcer::bpf {
namespace {

constexpr long kBpffsMagic = 0xcafe4a11;

void close_fd(int fd) { ::close(fd); }
Fd own(int fd) { return Fd(fd, close_fd); }

// libbpf reports details (which map failed, the verifier log) only through
// its print callback; collect them per thread while a call is in progress.
thread_local std::string* g_capture = nullptr;

int print_cb(enum libbpf_print_level level, const char* fmt, va_list args) {
  if (!g_capture || level == LIBBPF_DEBUG) return 0;
  char buf[4096];
  va_list copy;
  va_copy(copy, args);
  int n = vsnprintf(buf, sizeof buf, fmt, copy);
  va_end(copy);
  if (n < static_cast<int>(sizeof buf)) {
    g_capture->append(buf, n > 0 ? n : 0);
  } else {
    std::string big(n + 1, '\0');
    vsnprintf(big.data(), big.size(), fmt, args);
    big.resize(n);
    g_capture->append(big);
  }
  return 0;
}

struct Capture {
  std::string text;
  std::string* prev;
  Capture() : prev(g_capture) { g_capture = &text; }
  ~Capture() { g_capture = prev; }
};

struct ObjectCloser {
  void operator()(bpf_object* o) const { bpf_object__close(o); }
};

// The verifier log sits between libbpf's BEGIN/END markers.
std::string verifier_log(const std::string& text) {
  auto b = text.find("-- BEGIN PROG LOAD LOG --");
  auto e = text.find("-- END PROG LOAD LOG --");
  if (b == std::string::npos) return text;
  b = text.find('\n', b);
  if (b == std::string::npos) return text;
  return text.substr(b + 1, e == std::string::npos ? std::string::npos : e - b - 1);
}

MapKind kind_of(uint32_t type) {
  switch (type) {
    case BPF_MAP_TYPE_ARRAY: return MapKind::Array;
    case BPF_MAP_TYPE_HASH: return MapKind::Hash;
    case BPF_MAP_TYPE_PERCPU_ARRAY: return MapKind::PercpuArray;
    case BPF_MAP_TYPE_PERCPU_HASH: return MapKind::PercpuHash;
    case BPF_MAP_TYPE_RINGBUF: return MapKind::Ringbuf;
    default: return MapKind::Other;
  }
}

class LibbpfRing : public RingReader {
 public:
  LibbpfRing(const Fd& map, std::function<void(std::span<const uint8_t>)> cb)
      : map_(map), cb_(std::move(cb)) {
    rb_ = ring_buffer__new(map_.get(), &LibbpfRing::on_sample, this, nullptr);
    if (!rb_) throw BpfError(ErrorKind::Ringbuf, "events", errno, "");
  }
  ~LibbpfRing() override { ring_buffer__free(rb_); }
  int poll(int timeout_ms) override {
    int n = ring_buffer__poll(rb_, timeout_ms);
    if (n < 0 && n != -EINTR) throw BpfError(ErrorKind::Ringbuf, "events", -n, "poll");
    return n < 0 ? 0 : n;
  }

 private:
  static int on_sample(void* ctx, void* data, size_t size) {
    auto* self = static_cast<LibbpfRing*>(ctx);
    self->cb_(std::span<const uint8_t>(static_cast<const uint8_t*>(data), size));
    return 0;
  }
  Fd map_;
  std::function<void(std::span<const uint8_t>)> cb_;
  ring_buffer* rb_ = nullptr;
};

class LibbpfKernel : public Kernel {
 public:
  LibbpfKernel() { libbpf_set_print(print_cb); }

  Features features(const std::string& root) override {
    Features f;
    // The root may not exist yet: its nearest existing ancestor decides.
    std::string p = root;
    struct statfs st {};
    while (!p.empty()) {
      if (::statfs(p.c_str(), &st) == 0) {
        f.bpffs = static_cast<long>(st.f_type) == kBpffsMagic;
        break;
      }
      auto slash = p.find_last_of('/');
      if (slash == std::string::npos || slash == 0) break;
      p.resize(slash);
    }
    f.ringbuf = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, nullptr) == 1;
    f.xdp = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, nullptr) == 1;
    f.btf = ::access("/sys/kernel/btf/vmlinux", R_OK) == 0;
    return f;
  }

  unsigned possible_cpus() override {
    int n = libbpf_num_possible_cpus();
    if (n <= 0) throw BpfError(ErrorKind::Query, "possible cpus", -n, "");
    return static_cast<unsigned>(n);
  }

  Loaded load(const LoadSpec& spec) override {
    Capture cap;
    LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "sentinel");
    std::unique_ptr<bpf_object, ObjectCloser> obj(
        bpf_object__open_mem(spec.elf.data(), spec.elf.size(), &oo));
    if (!obj) throw BpfError(ErrorKind::Open, spec.what, errno, "", cap.text);
    bpf_program* prog = bpf_object__find_program_by_name(obj.get(), spec.prog.c_str());
    if (!prog)
      throw BpfError(ErrorKind::Open, "program " + spec.prog, ENOENT, "not in the object");
    // Only the named program is loaded; any other in the object stays out.
    bpf_program* p;
    bpf_object__for_each_program(p, obj.get()) bpf_program__set_autoload(p, p == prog);

    for (const auto& [name, bytes] : spec.initial_values) {
      bpf_map* m = find_map(obj.get(), name);
      int err = bpf_map__set_initial_value(m, bytes.data(), bytes.size());
      if (err)
        throw BpfError(ErrorKind::Load, "map " + name, -err,
                       "initial value of " + std::to_string(bytes.size()) + " bytes rejected (map has " +
                           std::to_string(bpf_map__value_size(m)) + ")",
                       cap.text);
    }
    for (const auto& [name, n] : spec.max_entries) {
      int err = bpf_map__set_max_entries(find_map(obj.get(), name), n);
      if (err) throw BpfError(ErrorKind::Load, "map " + name, -err, "set max_entries", cap.text);
    }
    for (const auto& [name, fd] : spec.reuse) {
      int err = bpf_map__reuse_fd(find_map(obj.get(), name), fd.get());
      if (err) throw BpfError(ErrorKind::Load, "map " + name, -err, "reuse shared map", cap.text);
    }

    int err = bpf_object__load(obj.get());
    if (err) throw load_error(spec, -err, cap.text);

    Loaded out;
    out.prog = own(fcntl_dup(bpf_program__fd(prog)));
    out.prog_id = prog_id(out.prog);
    bpf_map* m;
    bpf_object__for_each_map(m, obj.get()) {
      out.maps.emplace(bpf_map__name(m), own(fcntl_dup(bpf_map__fd(m))));
    }
    return out;
  }

  MapInfo map_info(const Fd& map, const std::string& name) override {
    bpf_map_info info{};
    uint32_t len = sizeof info;
    if (bpf_obj_get_info_by_fd(map.get(), &info, &len))
      throw BpfError(ErrorKind::Query, "map " + name, errno, "");
    MapInfo m;
    m.kind = kind_of(info.type);
    m.id = info.id;
    m.key_size = info.key_size;
    m.value_size = info.value_size;
    m.max_entries = info.max_entries;
    return m;
  }

  uint32_t prog_id(const Fd& prog) override {
    bpf_prog_info info{};
    uint32_t len = sizeof info;
    if (bpf_obj_get_info_by_fd(prog.get(), &info, &len))
      throw BpfError(ErrorKind::Query, "program", errno, "");
    return info.id;
  }

  Fd prog_by_id(uint32_t id) override {
    int fd = bpf_prog_get_fd_by_id(id);
    if (fd < 0) throw BpfError(ErrorKind::Query, "program id " + std::to_string(id), errno, "");
    return own(fd);
  }

  void update_batch(const Fd& map, const std::string& name, const void* keys,
                    const void* values, uint32_t count) override {
    if (count == 0) return;
    uint32_t n = count;
    LIBBPF_OPTS(bpf_map_batch_opts, opts);
    if (bpf_map_update_batch(map.get(), keys, values, &n, &opts) == 0 && n == count) return;
    int e = errno;
    // Kernels refuse batch updates on a few map types; fall back per element.
    if (e != EINVAL && e != 524 /* ENOTSUPP */ && e != EOPNOTSUPP)
      throw BpfError(ErrorKind::MapUpdate, "map " + name, e,
                     "batch update stopped after " + std::to_string(n) + " of " +
                         std::to_string(count) + " entries");
    MapInfo info = map_info(map, name);
    size_t vs = value_bytes(info);
    for (uint32_t i = 0; i < count; ++i) {
      const auto* k = static_cast<const uint8_t*>(keys) + size_t(i) * info.key_size;
      const auto* v = static_cast<const uint8_t*>(values) + size_t(i) * vs;
      if (bpf_map_update_elem(map.get(), k, v, BPF_ANY))
        throw BpfError(ErrorKind::MapUpdate, "map " + name, errno,
                       "entry " + std::to_string(i) + " of " + std::to_string(count));
    }
  }

  bool insert(const Fd& map, const std::string& name, const void* key,
              const void* value) override {
    if (bpf_map_update_elem(map.get(), key, value, BPF_NOEXIST) == 0) return true;
    if (errno == EEXIST) return false;
    throw BpfError(ErrorKind::MapUpdate, "map " + name, errno, "insert");
  }

  bool lookup(const Fd& map, const std::string& name, const void* key, void* value) override {
    if (bpf_map_lookup_elem(map.get(), key, value) == 0) return true;
    if (errno == ENOENT) return false;
    throw BpfError(ErrorKind::MapLookup, "map " + name, errno, "");
  }

  Fd create_array(const std::string& name, uint32_t value_size, uint32_t max_entries) override {
    int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, name.c_str(), 4, value_size, max_entries, nullptr);
    if (fd < 0) throw BpfError(ErrorKind::MapCreate, "map " + name, errno, "");
    return own(fd);
  }

  void pin(const Fd& obj, const std::string& path) override {
    if (bpf_obj_pin(obj.get(), path.c_str())) throw BpfError(ErrorKind::Pin, path, errno, "");
  }

  Fd get_pinned(const std::string& path) override {
    int fd = bpf_obj_get(path.c_str());
    if (fd >= 0) return own(fd);
    if (errno == ENOENT) return {};
    throw BpfError(ErrorKind::GetPinned, path, errno, "");
  }

  void unpin(const std::string& path) override {
    if (::unlink(path.c_str()) && errno != ENOENT) throw BpfError(ErrorKind::Unpin, path, errno, "");
  }

  void make_dir(const std::string& path) override {
    if (::mkdir(path.c_str(), 0700) && errno != EEXIST)
      throw BpfError(ErrorKind::Filesystem, path, errno, "mkdir");
  }

  void remove_dir(const std::string& path) override {
    if (::rmdir(path.c_str()) && errno != ENOENT)
      throw BpfError(ErrorKind::Filesystem, path, errno, "rmdir");
  }

  std::vector<std::string> list_dir(const std::string& path) override {
    std::vector<std::string> out;
    DIR* d = ::opendir(path.c_str());
    if (!d) {
      if (errno == ENOENT) return out;
      throw BpfError(ErrorKind::Filesystem, path, errno, "opendir");
    }
    while (dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") out.push_back(n);
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
  }

  std::shared_ptr<void> lock_dir(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw BpfError(ErrorKind::Filesystem, path, errno, "open for locking");
    if (::flock(fd, LOCK_EX)) {
      int e = errno;
      ::close(fd);
      throw BpfError(ErrorKind::Filesystem, path, e, "flock");
    }
    return std::shared_ptr<void>(nullptr, [fd](void*) { ::close(fd); });
  }

  Fd create_xdp_link(const Fd& prog, int ifindex, AttachMode* mode) override {
    LIBBPF_OPTS(bpf_link_create_opts, drv, .flags = XDP_FLAGS_DRV_MODE);
    int fd = bpf_link_create(prog.get(), ifindex, BPF_XDP, &drv);
    if (fd >= 0) {
      if (mode) *mode = AttachMode::Native;
      return own(fd);
    }
    int native_err = errno;
    LIBBPF_OPTS(bpf_link_create_opts, skb, .flags = XDP_FLAGS_SKB_MODE);
    fd = bpf_link_create(prog.get(), ifindex, BPF_XDP, &skb);
    if (fd < 0)
      throw BpfError(ErrorKind::Link, "ifindex " + std::to_string(ifindex), errno,
                     std::string("native mode failed too (") + std::strerror(native_err) + ")");
    if (mode) *mode = AttachMode::Skb;
    return own(fd);
  }

  void link_update(const Fd& link, const Fd& new_prog, const Fd& expected_old) override {
    LIBBPF_OPTS(bpf_link_update_opts, opts, .flags = BPF_F_REPLACE,
                .old_prog_fd = static_cast<__u32>(expected_old.get()));
    if (bpf_link_update(link.get(), new_prog.get(), &opts))
      throw BpfError(ErrorKind::LinkUpdate, "xdp link", errno,
                     errno == EPERM ? "the link no longer runs the expected program" : "");
  }

  uint32_t link_prog_id(const Fd& link) override {
    bpf_link_info info{};
    uint32_t len = sizeof info;
    if (bpf_obj_get_info_by_fd(link.get(), &info, &len))
      throw BpfError(ErrorKind::Query, "xdp link", errno, "");
    return info.prog_id;
  }

  AttachMode xdp_mode(int ifindex) override {
    LIBBPF_OPTS(bpf_xdp_query_opts, q);
    if (bpf_xdp_query(ifindex, 0, &q))
      throw BpfError(ErrorKind::Query, "xdp on ifindex " + std::to_string(ifindex), errno, "");
    switch (q.attach_mode) {
      case XDP_ATTACHED_DRV: return AttachMode::Native;
      case XDP_ATTACHED_SKB: return AttachMode::Skb;
      case XDP_ATTACHED_NONE: return AttachMode::None;
      default: return AttachMode::Native;
    }
  }

  TestRunResult test_run(const Fd& prog, std::span<const uint8_t> frame, uint32_t repeat,
                         std::span<const uint8_t> meta) override {
    // With metadata, data_in is metadata then frame, and the context says
    // where the frame starts (the kernel puts the metadata in the headroom).
    std::vector<uint8_t> in(meta.begin(), meta.end());
    in.insert(in.end(), frame.begin(), frame.end());
    std::vector<uint8_t> out(in.size() + 512);
    xdp_md ctx{};
    ctx.data = static_cast<__u32>(meta.size());
    ctx.data_end = static_cast<__u32>(in.size());
    LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in.data(), .data_out = out.data(),
                .data_size_in = static_cast<__u32>(in.size()),
                .data_size_out = static_cast<__u32>(out.size()),
                .ctx_in = meta.empty() ? nullptr : &ctx,
                .ctx_size_in = meta.empty() ? 0u : static_cast<__u32>(sizeof ctx),
                .repeat = static_cast<int>(repeat ? repeat : 1));
    if (bpf_prog_test_run_opts(prog.get(), &o))
      throw BpfError(ErrorKind::TestRun, "program", errno, "");
    return {o.retval, o.duration};
  }

  std::unique_ptr<RingReader> ring_reader(
      const Fd& ringbuf, std::function<void(std::span<const uint8_t>)> on_record) override {
    return std::make_unique<LibbpfRing>(ringbuf, std::move(on_record));
  }

 private:
  static int fcntl_dup(int fd) { return ::fcntl(fd, F_DUPFD_CLOEXEC, 3); }

  bpf_map* find_map(bpf_object* obj, const std::string& name) {
    bpf_map* m = bpf_object__find_map_by_name(obj, name.c_str());
    if (!m) throw BpfError(ErrorKind::Open, "map " + name, ENOENT, "not in the object");
    return m;
  }

  size_t value_bytes(const MapInfo& info) {
    if (!info.percpu()) return info.value_size;
    return size_t((info.value_size + 7) / 8 * 8) * possible_cpus();
  }

  // Names the map or program that failed, from what libbpf printed.
  BpfError load_error(const LoadSpec& spec, int err, const std::string& log) {
    std::smatch m;
    static const std::regex map_re(R"(map '([^']+)': (failed to create|failed to create map|can't)[^\n]*)");
    static const std::regex prog_re(R"(prog '([^']+)': (BPF program load failed|failed to load)[^\n]*)");
    if (std::regex_search(log, m, prog_re) || log.find("BEGIN PROG LOAD LOG") != std::string::npos) {
      std::string name = m.size() > 1 ? m[1].str() : spec.prog;
      return BpfError(ErrorKind::Verifier, "program " + name, err, spec.what, verifier_log(log));
    }
    if (std::regex_search(log, m, map_re))
      return BpfError(ErrorKind::MapCreate, "map " + m[1].str(), err, spec.what, log);
    return BpfError(ErrorKind::Load, spec.what, err, "", log);
  }
};

}  // namespace

std::unique_ptr<Kernel> make_libbpf_kernel() { return std::make_unique<LibbpfKernel>(); }

}  // namespace sentinel::enforcer::bpf
