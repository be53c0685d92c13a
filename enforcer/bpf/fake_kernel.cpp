#include "enforcer/bpf/fake_kernel.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "enforcer/bpf/libbpf_kernel.h"

namespace sentinel::enforcer::bpf {

namespace {

bool is_array(const MapInfo& i) { return i.kind == MapKind::Array || i.kind == MapKind::PercpuArray; }

uint32_t index_of(const void* key) {
  uint32_t idx;
  std::memcpy(&idx, key, 4);
  return idx;
}

}  // namespace

void FakeKernel::maybe_fail(const std::string& op, ErrorKind kind, const std::string& object) {
  if (auto t = targeted_.find(op); t != targeted_.end() && object.find(t->second) != std::string::npos) {
    targeted_.erase(t);
  } else {
    auto it = faults_.find(op);
    if (it == faults_.end()) return;
    if (--it->second > 0) return;
    faults_.erase(it);
  }
  ops.push_back("FAIL " + op + " " + object);
  throw BpfError(kind, object, EIO, "injected failure",
                 op == "verifier" ? "0: (b7) r0 = 0\ninvalid access to packet" : "");
}

void FakeKernel::note(std::string op) {
  if (checkpointing) checkpoints.push_back({op, state()});
  ops.push_back(std::move(op));
}

FakeKernel::State FakeKernel::state() const {
  return {maps, progs, links, pins, dirs, interfaces, cookie, next_id_};
}

void FakeKernel::restore(const State& s) {
  // Handles of the old process must not reach into the new state.
  link_handles_ = std::make_shared<LinkHandles>(LinkHandles{this, {}});
  maps = s.maps;
  progs = s.progs;
  pins = s.pins;
  dirs = s.dirs;
  interfaces = s.interfaces;
  cookie = s.cookie;
  next_id_ = s.next_id;
  links.clear();
  for (const auto& [id, l] : s.links)
    if (std::any_of(pins.begin(), pins.end(), [&](const auto& p) { return p.second == id; })) links[id] = l;
  ops.clear();
  faults_.clear();
  targeted_.clear();
  checkpoints.clear();
  locked_ = false;
}

Fd FakeKernel::link_handle(int id) {
  ++link_handles_->open[id];
  std::weak_ptr<LinkHandles> book = link_handles_;
  return Fd(id, [book](int id) {
    auto b = book.lock();
    if (!b) return;
    if (--b->open[id] <= 0) {
      b->open.erase(id);
      b->owner->drop_link_if_unused(id);
    }
  });
}

void FakeKernel::drop_link_if_unused(int id) {
  if (!links.count(id) || link_handles_->open.count(id)) return;
  if (std::any_of(pins.begin(), pins.end(), [&](const auto& p) { return p.second == id; })) return;
  links.erase(id);
}

FakeKernel::Map& FakeKernel::map_at(const std::string& path) { return maps.at(pins.at(path)); }

FakeKernel::Map& FakeKernel::map_of(const Fd& fd, const std::string& name) {
  auto it = maps.find(fd.get());
  if (it == maps.end()) throw BpfError(ErrorKind::Query, "map " + name, EBADF, "");
  return it->second;
}

const FakeKernel::Prog* FakeKernel::link_prog(const std::string& path) const {
  auto p = pins.find(path);
  if (p == pins.end()) return nullptr;
  auto l = links.find(p->second);
  if (l == links.end()) return nullptr;
  auto pr = progs.find(l->second.prog);
  return pr == progs.end() ? nullptr : &pr->second;
}

size_t FakeKernel::count_ops(const std::string& prefix) const {
  return static_cast<size_t>(
      std::count_if(ops.begin(), ops.end(), [&](const std::string& o) { return o.rfind(prefix, 0) == 0; }));
}

void FakeKernel::delete_interface(uint32_t ifindex) {
  interfaces.erase(ifindex);
  for (auto& [id, l] : links)
    if (l.ifindex == ifindex) l.ifindex = 0;
}

Features FakeKernel::features(const std::string&) { return feats; }

uint32_t FakeKernel::ifindex_of(const std::string& name) {
  for (const auto& [idx, n] : interfaces)
    if (n == name) return idx;
  return 0;
}

std::string FakeKernel::ifname_of(uint32_t ifindex) {
  auto it = interfaces.find(ifindex);
  return it == interfaces.end() ? std::string() : it->second;
}

size_t FakeKernel::value_bytes(const MapInfo& i) const {
  return i.percpu() ? size_t((i.value_size + 7) / 8 * 8) * cpus : i.value_size;
}

ObjectInfo FakeKernel::inspect(std::span<const uint8_t> elf, const std::string& what) {
  return inspect_object(elf, what);
}

Loaded FakeKernel::load(const LoadSpec& spec) {
  note("load " + spec.what);
  maybe_fail("load", ErrorKind::Load, spec.what);
  ObjectInfo info = inspect_object(spec.elf, spec.what);
  for (const auto& p : spec.programs)
    if (std::find(info.programs.begin(), info.programs.end(), p) == info.programs.end())
      throw BpfError(ErrorKind::Open, "program " + p, ENOENT, "not in the object");
  for (const auto& [name, bytes] : spec.initial_values) {
    auto d = std::find_if(info.maps.begin(), info.maps.end(), [&](const MapDecl& m) {
      return m.internal && m.name.size() >= name.size() &&
             m.name.compare(m.name.size() - name.size(), name.size(), name) == 0;
    });
    if (d == info.maps.end()) throw BpfError(ErrorKind::Open, "map " + name, ENOENT, "not in the object");
    if (bytes.size() != d->info.value_size)
      throw BpfError(ErrorKind::Load, "map " + name, EINVAL, "initial value size");
  }
  Loaded out;
  std::map<int, Map> created;
  for (const auto& d : info.maps) {
    if (d.internal) continue;
    if (auto r = spec.reuse.find(d.name); r != spec.reuse.end()) {
      auto have = maps.find(r->second.get());
      if (have == maps.end()) throw BpfError(ErrorKind::Load, "map " + d.name, EBADF, "reuse shared map");
      const MapInfo& h = have->second.info;
      if (h.kind != d.info.kind || h.key_size != d.info.key_size || h.value_size != d.info.value_size)
        throw BpfError(ErrorKind::Load, "map " + d.name, EINVAL, "reuse of a map of another shape");
      out.maps[d.name] = handle(r->second.get());
      continue;
    }
    maybe_fail("map_create", ErrorKind::MapCreate, "map " + d.name);
    Map m;
    m.name = d.name;
    m.info = d.info;
    if (auto e = spec.max_entries.find(d.name); e != spec.max_entries.end()) m.info.max_entries = e->second;
    if (m.info.max_entries == 0) throw BpfError(ErrorKind::MapCreate, "map " + d.name, EINVAL, "max_entries 0");
    int id = next_id_++;
    m.info.id = static_cast<uint32_t>(id);
    created[id] = std::move(m);
    out.maps[d.name] = handle(id);
  }
  std::map<int, Prog> loaded;
  for (const auto& p : spec.programs) {
    maybe_fail("verifier", ErrorKind::Verifier, "program " + p);
    int id = next_id_++;
    loaded[id] = Prog{p, spec.what};
    out.progs[p] = handle(id);
    out.prog_ids[p] = static_cast<uint32_t>(id);
  }
  maps.merge(created);
  progs.merge(loaded);
  return out;
}

MapInfo FakeKernel::map_info(const Fd& map, const std::string& name) { return map_of(map, name).info; }

uint32_t FakeKernel::prog_id(const Fd& prog) {
  if (!progs.count(prog.get())) throw BpfError(ErrorKind::Query, "program", EBADF, "");
  return static_cast<uint32_t>(prog.get());
}

Fd FakeKernel::prog_by_id(uint32_t id) {
  if (!progs.count(static_cast<int>(id))) throw BpfError(ErrorKind::Query, "program id", ENOENT, "");
  return handle(static_cast<int>(id));
}

void FakeKernel::update_batch(const Fd& map, const std::string& name, const void* keys, const void* values,
                              uint32_t count) {
  note("update_batch " + name);
  maybe_fail("update_batch", ErrorKind::MapUpdate, "map " + name);
  Map& m = map_of(map, name);
  size_t vs = value_bytes(m.info);
  for (uint32_t i = 0; i < count; ++i) {
    const auto* k = static_cast<const uint8_t*>(keys) + size_t(i) * m.info.key_size;
    const auto* v = static_cast<const uint8_t*>(values) + size_t(i) * vs;
    Bytes key(k, k + m.info.key_size);
    if (is_array(m.info) ? index_of(k) >= m.info.max_entries
                         : !m.data.count(key) && m.data.size() >= m.info.max_entries)
      throw BpfError(ErrorKind::MapUpdate, "map " + name, E2BIG, "");
    m.data[key] = Bytes(v, v + vs);
  }
}

bool FakeKernel::insert(const Fd& map, const std::string& name, const void* key, const void* value) {
  note("insert " + name);
  maybe_fail("insert", ErrorKind::MapUpdate, "map " + name);
  Map& m = map_of(map, name);
  const auto* k = static_cast<const uint8_t*>(key);
  const auto* v = static_cast<const uint8_t*>(value);
  Bytes kb(k, k + m.info.key_size);
  if (m.data.count(kb)) return false;
  m.data[kb] = Bytes(v, v + value_bytes(m.info));
  return true;
}

bool FakeKernel::lookup_bytes(const Fd& map, const std::string& name, std::span<const uint8_t> key,
                              std::span<uint8_t> value) {
  Map& m = map_of(map, name);
  if (key.size() != m.info.key_size || value.size() != value_bytes(m.info))
    throw BpfError(ErrorKind::MapLookup, "map " + name, EINVAL, "record sizes differ");
  Bytes kb(key.begin(), key.end());
  auto d = m.data.find(kb);
  if (d == m.data.end()) {
    if (!is_array(m.info) || index_of(key.data()) >= m.info.max_entries) return false;
    std::memset(value.data(), 0, value.size());  // arrays read as zero
    return true;
  }
  std::memcpy(value.data(), d->second.data(), std::min(value.size(), d->second.size()));
  return true;
}

bool FakeKernel::erase(const Fd& map, const std::string& name, const void* key) {
  note("erase " + name);
  maybe_fail("erase", ErrorKind::MapUpdate, "map " + name);
  Map& m = map_of(map, name);
  const auto* k = static_cast<const uint8_t*>(key);
  return m.data.erase(Bytes(k, k + m.info.key_size)) > 0;
}

std::vector<Bytes> FakeKernel::keys(const Fd& map, const std::string& name) {
  std::vector<Bytes> out;
  for (const auto& [k, v] : map_of(map, name).data) out.push_back(k);
  return out;
}

void FakeKernel::set_prog(const Fd& prog_array, const std::string& name, uint32_t index, const Fd& prog) {
  note("set_prog " + name + " " + std::to_string(index));
  maybe_fail("set_prog", ErrorKind::MapUpdate, "map " + name);
  Map& m = map_of(prog_array, name);
  if (m.info.kind != MapKind::ProgArray) throw BpfError(ErrorKind::MapUpdate, "map " + name, EINVAL, "not a prog array");
  if (index >= m.info.max_entries) throw BpfError(ErrorKind::MapUpdate, "map " + name, E2BIG, "");
  uint32_t id = prog_id(prog);
  Bytes key(4), val(4);
  std::memcpy(key.data(), &index, 4);
  std::memcpy(val.data(), &id, 4);
  m.data[key] = val;
}

void FakeKernel::clear_prog(const Fd& prog_array, const std::string& name, uint32_t index) {
  note("clear_prog " + name + " " + std::to_string(index));
  Map& m = map_of(prog_array, name);
  Bytes key(4);
  std::memcpy(key.data(), &index, 4);
  m.data.erase(key);
}

uint32_t FakeKernel::prog_in(const Fd& prog_array, const std::string& name, uint32_t index) {
  Map& m = map_of(prog_array, name);
  Bytes key(4);
  std::memcpy(key.data(), &index, 4);
  auto it = m.data.find(key);
  if (it == m.data.end()) return 0;
  return index_of(it->second.data());
}

Fd FakeKernel::create_array(const std::string& name, uint32_t value_size, uint32_t max_entries) {
  note("create_array " + name);
  maybe_fail("create_array", ErrorKind::MapCreate, "map " + name);
  Map m;
  m.name = name;
  m.info = {MapKind::Array, 0, 4, value_size, max_entries, 0};
  int id = next_id_++;
  m.info.id = static_cast<uint32_t>(id);
  maps[id] = std::move(m);
  return handle(id);
}

void FakeKernel::pin(const Fd& obj, const std::string& path) {
  note("pin " + path);
  maybe_fail("pin", ErrorKind::Pin, path);
  if (pins.count(path)) throw BpfError(ErrorKind::Pin, path, EEXIST, "");
  auto slash = path.find_last_of('/');
  if (!dirs.count(path.substr(0, slash))) throw BpfError(ErrorKind::Pin, path, ENOENT, "");
  // bpffs refuses names with a dot (reserved for its own files).
  if (path.find('.', slash) != std::string::npos) throw BpfError(ErrorKind::Pin, path, EPERM, "");
  pins[path] = obj.get();
}

Fd FakeKernel::get_pinned(const std::string& path) {
  auto it = pins.find(path);
  if (it == pins.end()) return Fd();
  return links.count(it->second) ? link_handle(it->second) : handle(it->second);
}

void FakeKernel::unpin(const std::string& path) {
  note("unpin " + path);
  maybe_fail("unpin", ErrorKind::Unpin, path);
  auto it = pins.find(path);
  if (it == pins.end()) return;
  int id = it->second;
  pins.erase(it);
  // A link without pins or open handles goes away, and with it the attachment.
  drop_link_if_unused(id);
}

void FakeKernel::make_dir(const std::string& path) {
  note("make_dir " + path);
  maybe_fail("make_dir", ErrorKind::Filesystem, path);
  auto slash = path.find_last_of('/');
  if (slash != std::string::npos && slash > 0 && !dirs.count(path.substr(0, slash)))
    throw BpfError(ErrorKind::Filesystem, path, ENOENT, "mkdir");
  if (path.find('.', slash == std::string::npos ? 0 : slash) != std::string::npos)
    throw BpfError(ErrorKind::Filesystem, path, EPERM, "mkdir");
  dirs.insert(path);
}

void FakeKernel::remove_dir(const std::string& path) {
  note("remove_dir " + path);
  for (const auto& [p, id] : pins)
    if (p.rfind(path + "/", 0) == 0) throw BpfError(ErrorKind::Filesystem, path, ENOTEMPTY, "rmdir");
  for (const auto& d : dirs)
    if (d.rfind(path + "/", 0) == 0) throw BpfError(ErrorKind::Filesystem, path, ENOTEMPTY, "rmdir");
  dirs.erase(path);
}

std::vector<std::string> FakeKernel::list_dir(const std::string& path) {
  std::set<std::string> out;
  std::string prefix = path + "/";
  auto add = [&](const std::string& p) {
    if (p.rfind(prefix, 0) != 0) return;
    std::string rest = p.substr(prefix.size());
    out.insert(rest.substr(0, rest.find('/')));
  };
  for (const auto& [p, id] : pins) add(p);
  for (const auto& d : dirs) add(d);
  return {out.begin(), out.end()};
}

std::shared_ptr<void> FakeKernel::lock_dir(const std::string& path) {
  note("lock " + path);
  maybe_fail("lock", ErrorKind::Filesystem, path);
  if (!dirs.count(path)) throw BpfError(ErrorKind::Filesystem, path, ENOENT, "open for locking");
  // One process, one lock: a second one here would deadlock on flock.
  if (locked_) throw BpfError(ErrorKind::Filesystem, path, EDEADLK, "locked twice");
  locked_ = true;
  return std::shared_ptr<void>(nullptr, [this](void*) { locked_ = false; });
}

Fd FakeKernel::create_xdp_link(const Fd& prog, int ifindex, AttachMode* mode) {
  note("link_create xdp " + std::to_string(ifindex));
  maybe_fail("link_create", ErrorKind::Link, "ifindex " + std::to_string(ifindex));
  if (!interfaces.count(static_cast<uint32_t>(ifindex))) throw BpfError(ErrorKind::Link, "ifindex", ENODEV, "");
  for (const auto& [id, l] : links)
    if (l.kind == LinkKind::Xdp && l.ifindex == static_cast<uint32_t>(ifindex))
      throw BpfError(ErrorKind::Link, "ifindex", EBUSY, "");
  int id = next_id_++;
  links[id] = {LinkKind::Xdp, prog.get(), static_cast<uint32_t>(ifindex),
               native_xdp ? AttachMode::Native : AttachMode::Skb};
  if (mode) *mode = links[id].mode;
  return link_handle(id);
}

Fd FakeKernel::create_tcx_link(const Fd& prog, int ifindex, bool ingress) {
  note(std::string("link_create ") + (ingress ? "tcx_ingress " : "tcx_egress ") + std::to_string(ifindex));
  maybe_fail("link_create", ErrorKind::Link, "ifindex " + std::to_string(ifindex));
  if (!interfaces.count(static_cast<uint32_t>(ifindex))) throw BpfError(ErrorKind::Link, "ifindex", ENODEV, "");
  int id = next_id_++;
  links[id] = {ingress ? LinkKind::TcxIngress : LinkKind::TcxEgress, prog.get(), static_cast<uint32_t>(ifindex),
               AttachMode::Native};
  return link_handle(id);
}

void FakeKernel::link_update(const Fd& link, const Fd& new_prog, const Fd& expected_old) {
  note("link_update");
  maybe_fail("link_update", ErrorKind::LinkUpdate, "link");
  if (before_link_update) before_link_update();
  Link& l = links.at(link.get());
  if (l.prog != expected_old.get())
    throw BpfError(ErrorKind::LinkUpdate, "link", EPERM, "the link no longer runs the expected program");
  l.prog = new_prog.get();
}

LinkInfo FakeKernel::link_info(const Fd& link) {
  auto it = links.find(link.get());
  if (it == links.end()) throw BpfError(ErrorKind::Query, "link", EBADF, "");
  return {it->second.kind, static_cast<uint32_t>(it->second.prog), it->second.ifindex};
}

AttachMode FakeKernel::xdp_mode(int ifindex) {
  for (const auto& [id, l] : links)
    if (l.kind == LinkKind::Xdp && l.ifindex == static_cast<uint32_t>(ifindex)) return l.mode;
  return AttachMode::None;
}

TestRunResult FakeKernel::test_run(const Fd& prog, std::span<const uint8_t> frame, uint32_t,
                                   std::span<const uint8_t>, uint32_t) {
  note("test_run");
  maybe_fail("test_run", ErrorKind::TestRun, "program");
  return {program(progs.at(prog.get()), frame), 10};
}

TestRunResult FakeKernel::test_run_tc(const Fd& prog, std::span<const uint8_t> frame, uint32_t,
                                      const std::array<uint32_t, 5>&) {
  note("test_run_tc");
  maybe_fail("test_run", ErrorKind::TestRun, "program");
  return {tc_program(progs.at(prog.get()), frame), 10};
}

std::unique_ptr<RingReader> FakeKernel::ring_reader(std::vector<RingSpec>) {
  struct Empty : RingReader {
    int poll(int) override { return 0; }
  };
  return std::make_unique<Empty>();
}

}  // namespace sentinel::enforcer::bpf
