#include "enforcer/bpf/libbpf_kernel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <sys/file.h>
#include <sys/socket.h>
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

// uapi 6.6 names the 6.1 headers lack.
constexpr int kTcxIngress = 46;  // BPF_TCX_INGRESS
constexpr int kTcxEgress = 47;   // BPF_TCX_EGRESS
constexpr uint32_t kLinkTypeTcx = 11;  // BPF_LINK_TYPE_TCX
constexpr int kSoNetnsCookie = 71;     // SO_NETNS_COOKIE

MapKind kind_of(uint32_t type) {
  switch (type) {
    case BPF_MAP_TYPE_ARRAY: return MapKind::Array;
    case BPF_MAP_TYPE_HASH: return MapKind::Hash;
    case BPF_MAP_TYPE_PERCPU_ARRAY: return MapKind::PercpuArray;
    case BPF_MAP_TYPE_PERCPU_HASH: return MapKind::PercpuHash;
    case BPF_MAP_TYPE_LRU_HASH: return MapKind::LruHash;
    case BPF_MAP_TYPE_RINGBUF: return MapKind::Ringbuf;
    case BPF_MAP_TYPE_PROG_ARRAY: return MapKind::ProgArray;
    default: return MapKind::Other;
  }
}

class LibbpfRing : public RingReader {
 public:
  explicit LibbpfRing(std::vector<RingSpec> rings) : rings_(std::move(rings)) {
    for (auto& r : rings_) {
      int err = 0;
      if (!rb_) {
        rb_ = ring_buffer__new(r.ring.get(), &LibbpfRing::on_sample, &r, nullptr);
        if (!rb_) err = errno;
      } else {
        err = -ring_buffer__add(rb_, r.ring.get(), &LibbpfRing::on_sample, &r);
      }
      if (err) throw BpfError(ErrorKind::Ringbuf, r.name, err, "");
    }
  }
  ~LibbpfRing() override {
    if (rb_) ring_buffer__free(rb_);
  }
  int poll(int timeout_ms) override {
    if (!rb_) return 0;
    int n = ring_buffer__poll(rb_, timeout_ms);
    if (n < 0 && n != -EINTR) throw BpfError(ErrorKind::Ringbuf, "events", -n, "poll");
    return n < 0 ? 0 : n;
  }

 private:
  static int on_sample(void* ctx, void* data, size_t size) {
    auto* spec = static_cast<RingSpec*>(ctx);
    spec->on_record(std::span<const uint8_t>(static_cast<const uint8_t*>(data), size));
    return 0;
  }
  std::vector<RingSpec> rings_;  // stable addresses: the callbacks' contexts
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
    f.tc = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SCHED_CLS, nullptr) == 1;
    f.btf = ::access("/sys/kernel/btf/vmlinux", R_OK) == 0;
    return f;
  }

  unsigned possible_cpus() override {
    int n = libbpf_num_possible_cpus();
    if (n <= 0) throw BpfError(ErrorKind::Query, "possible cpus", -n, "");
    return static_cast<unsigned>(n);
  }

  uint64_t netns_cookie() override {
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw BpfError(ErrorKind::Query, "network namespace", errno, "socket");
    uint64_t cookie = 0;
    socklen_t len = sizeof cookie;
    int rc = ::getsockopt(fd, SOL_SOCKET, kSoNetnsCookie, &cookie, &len);
    int e = errno;
    ::close(fd);
    if (rc) throw BpfError(ErrorKind::Query, "network namespace", e, "SO_NETNS_COOKIE");
    return cookie;
  }

  uint32_t ifindex_of(const std::string& name) override { return ::if_nametoindex(name.c_str()); }

  std::string ifname_of(uint32_t ifindex) override {
    char buf[IF_NAMESIZE] = {};
    if (!::if_indextoname(ifindex, buf)) return {};
    return buf;
  }

  ObjectInfo inspect(std::span<const uint8_t> elf, const std::string& what) override {
    return inspect_object(elf, what);
  }

  Loaded load(const LoadSpec& spec) override {
    Capture cap;
    LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "sentinel");
    std::unique_ptr<bpf_object, ObjectCloser> obj(
        bpf_object__open_mem(spec.elf.data(), spec.elf.size(), &oo));
    if (!obj) throw BpfError(ErrorKind::Open, spec.what, errno, "", cap.text);
    std::vector<bpf_program*> progs;
    for (const auto& name : spec.programs) {
      bpf_program* prog = bpf_object__find_program_by_name(obj.get(), name.c_str());
      if (!prog) throw BpfError(ErrorKind::Open, "program " + name, ENOENT, "not in the object");
      progs.push_back(prog);
    }
    // Only the named programs are loaded; any other in the object stays out.
    bpf_program* p;
    bpf_object__for_each_program(p, obj.get())
        bpf_program__set_autoload(p, std::find(progs.begin(), progs.end(), p) != progs.end());

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
    for (size_t i = 0; i < progs.size(); ++i) {
      Fd f = own(fcntl_dup(bpf_program__fd(progs[i])));
      out.prog_ids[spec.programs[i]] = prog_id(f);
      out.progs[spec.programs[i]] = f;
    }
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
    m.flags = info.map_flags;
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

  bool lookup_bytes(const Fd& map, const std::string& name, std::span<const uint8_t> key,
                    std::span<uint8_t> value) override {
    MapInfo info = map_info(map, name);
    if (key.size() != info.key_size || value.size() != value_bytes(info))
      throw BpfError(ErrorKind::MapLookup, "map " + name, EINVAL,
                     "records of " + std::to_string(info.key_size) + "/" + std::to_string(value_bytes(info)) +
                         " bytes, expected " + std::to_string(key.size()) + "/" + std::to_string(value.size()));
    if (bpf_map_lookup_elem(map.get(), key.data(), value.data()) == 0) return true;
    if (errno == ENOENT) return false;
    throw BpfError(ErrorKind::MapLookup, "map " + name, errno, "");
  }

  bool erase(const Fd& map, const std::string& name, const void* key) override {
    if (bpf_map_delete_elem(map.get(), key) == 0) return true;
    if (errno == ENOENT) return false;
    throw BpfError(ErrorKind::MapUpdate, "map " + name, errno, "delete");
  }

  std::vector<Bytes> keys(const Fd& map, const std::string& name) override {
    MapInfo info = map_info(map, name);
    std::vector<Bytes> out;
    Bytes cur(info.key_size), next(info.key_size);
    const void* prev = nullptr;
    while (true) {
      if (bpf_map_get_next_key(map.get(), prev, next.data())) {
        if (errno == ENOENT) break;
        throw BpfError(ErrorKind::MapLookup, "map " + name, errno, "next key");
      }
      out.push_back(next);
      cur = next;
      prev = cur.data();
    }
    return out;
  }

  void set_prog(const Fd& prog_array, const std::string& name, uint32_t index, const Fd& prog) override {
    int fd = prog.get();
    if (bpf_map_update_elem(prog_array.get(), &index, &fd, BPF_ANY))
      throw BpfError(ErrorKind::MapUpdate, "map " + name, errno, "slot " + std::to_string(index));
  }

  void clear_prog(const Fd& prog_array, const std::string& name, uint32_t index) override {
    if (bpf_map_delete_elem(prog_array.get(), &index) && errno != ENOENT)
      throw BpfError(ErrorKind::MapUpdate, "map " + name, errno, "clear slot " + std::to_string(index));
  }

  uint32_t prog_in(const Fd& prog_array, const std::string& name, uint32_t index) override {
    uint32_t id = 0;
    if (bpf_map_lookup_elem(prog_array.get(), &index, &id) == 0) return id;
    if (errno == ENOENT) return 0;
    throw BpfError(ErrorKind::MapLookup, "map " + name, errno, "slot " + std::to_string(index));
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
    // Another program in native mode: generic mode would fail the same way.
    if (native_err == EBUSY || native_err == EEXIST)
      throw BpfError(ErrorKind::Link, "ifindex " + std::to_string(ifindex), native_err, "native mode");
    LIBBPF_OPTS(bpf_link_create_opts, skb, .flags = XDP_FLAGS_SKB_MODE);
    fd = bpf_link_create(prog.get(), ifindex, BPF_XDP, &skb);
    if (fd < 0)
      throw BpfError(ErrorKind::Link, "ifindex " + std::to_string(ifindex), errno,
                     std::string("generic mode, after native mode failed with ") + std::strerror(native_err));
    if (mode) *mode = AttachMode::Skb;
    return own(fd);
  }

  Fd create_tcx_link(const Fd& prog, int ifindex, bool ingress) override {
    int fd = bpf_link_create(prog.get(), ifindex, static_cast<bpf_attach_type>(ingress ? kTcxIngress : kTcxEgress),
                             nullptr);
    if (fd < 0)
      throw BpfError(ErrorKind::Link, "ifindex " + std::to_string(ifindex), errno,
                     ingress ? "tcx ingress" : "tcx egress");
    return own(fd);
  }

  void link_update(const Fd& link, const Fd& new_prog, const Fd& expected_old) override {
    LIBBPF_OPTS(bpf_link_update_opts, opts, .flags = BPF_F_REPLACE,
                .old_prog_fd = static_cast<__u32>(expected_old.get()));
    if (bpf_link_update(link.get(), new_prog.get(), &opts))
      throw BpfError(ErrorKind::LinkUpdate, "link", errno,
                     errno == EPERM ? "the link no longer runs the expected program" : "");
  }

  LinkInfo link_info(const Fd& link) override {
    bpf_link_info info{};
    uint32_t len = sizeof info;
    if (bpf_obj_get_info_by_fd(link.get(), &info, &len)) throw BpfError(ErrorKind::Query, "link", errno, "");
    LinkInfo out;
    out.prog_id = info.prog_id;
    // xdp and tcx both start their part of the union with the ifindex; tcx
    // follows it with the attach type (uapi 6.6).
    uint32_t words[2];
    std::memcpy(words, &info.xdp, sizeof words);
    out.ifindex = words[0];
    if (info.type == BPF_LINK_TYPE_XDP)
      out.kind = LinkKind::Xdp;
    else if (info.type == kLinkTypeTcx)
      out.kind = static_cast<int>(words[1]) == kTcxIngress ? LinkKind::TcxIngress : LinkKind::TcxEgress;
    return out;
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
                         std::span<const uint8_t> meta, uint32_t ingress_ifindex) override {
    // With metadata, data_in is metadata then frame, and the context says
    // where the frame starts (the kernel puts the metadata in the headroom).
    std::vector<uint8_t> in(meta.begin(), meta.end());
    in.insert(in.end(), frame.begin(), frame.end());
    std::vector<uint8_t> out(in.size() + 512);
    xdp_md ctx{};
    ctx.data = static_cast<__u32>(meta.size());
    ctx.data_end = static_cast<__u32>(in.size());
    ctx.ingress_ifindex = ingress_ifindex;
    const bool with_ctx = !meta.empty() || ingress_ifindex;
    LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in.data(), .data_out = out.data(),
                .data_size_in = static_cast<__u32>(in.size()),
                .data_size_out = static_cast<__u32>(out.size()),
                .ctx_in = with_ctx ? &ctx : nullptr,
                .ctx_size_in = with_ctx ? static_cast<__u32>(sizeof ctx) : 0u,
                .repeat = static_cast<int>(repeat ? repeat : 1));
    if (bpf_prog_test_run_opts(prog.get(), &o))
      throw BpfError(ErrorKind::TestRun, "program", errno, "");
    return {o.retval, o.duration};
  }

  TestRunResult test_run_tc(const Fd& prog, std::span<const uint8_t> frame, uint32_t repeat,
                            const std::array<uint32_t, 5>& cb) override {
    std::vector<uint8_t> in(frame.begin(), frame.end());
    std::vector<uint8_t> out(in.size() + 512);
    __sk_buff ctx{};
    for (int i = 0; i < 5; ++i) ctx.cb[i] = cb[i];
    LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in.data(), .data_out = out.data(),
                .data_size_in = static_cast<__u32>(in.size()), .data_size_out = static_cast<__u32>(out.size()),
                .ctx_in = &ctx, .ctx_size_in = sizeof ctx, .repeat = static_cast<int>(repeat ? repeat : 1));
    if (bpf_prog_test_run_opts(prog.get(), &o)) throw BpfError(ErrorKind::TestRun, "program", errno, "");
    return {o.retval, o.duration};
  }

  std::unique_ptr<RingReader> ring_reader(std::vector<RingSpec> rings) override {
    return std::make_unique<LibbpfRing>(std::move(rings));
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
      std::string name = m.size() > 1 ? m[1].str() : (spec.programs.empty() ? spec.what : spec.programs[0]);
      return BpfError(ErrorKind::Verifier, "program " + name, err, spec.what, verifier_log(log));
    }
    if (std::regex_search(log, m, map_re))
      return BpfError(ErrorKind::MapCreate, "map " + m[1].str(), err, spec.what, log);
    return BpfError(ErrorKind::Load, spec.what, err, "", log);
  }
};

}  // namespace

ObjectInfo inspect_object(std::span<const uint8_t> elf, const std::string& what) {
  Capture cap;
  LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "sentinel");
  std::unique_ptr<bpf_object, ObjectCloser> obj(bpf_object__open_mem(elf.data(), elf.size(), &oo));
  if (!obj) throw BpfError(ErrorKind::Open, what, errno, "", cap.text);
  ObjectInfo out;
  bpf_map* m;
  bpf_object__for_each_map(m, obj.get()) {
    MapDecl d;
    d.name = bpf_map__name(m);
    d.info.kind = kind_of(bpf_map__type(m));
    d.info.key_size = bpf_map__key_size(m);
    d.info.value_size = bpf_map__value_size(m);
    d.info.max_entries = bpf_map__max_entries(m);
    d.info.flags = bpf_map__map_flags(m);
    d.internal = bpf_map__is_internal(m);
    out.maps.push_back(std::move(d));
  }
  bpf_program* p;
  bpf_object__for_each_program(p, obj.get()) out.programs.push_back(bpf_program__name(p));
  return out;
}

std::unique_ptr<Kernel> make_libbpf_kernel() { return std::make_unique<LibbpfKernel>(); }

}  // namespace sentinel::enforcer::bpf
