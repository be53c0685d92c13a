#include "enforcer/bpf/fake_kernel.h"

#include <cerrno>
#include <cstring>

namespace sentinel::enforcer::bpf {

void FakeKernel::maybe_fail(const std::string& op, ErrorKind kind, const std::string& object) {
  auto it = faults_.find(op);
  if (it == faults_.end()) return;
  if (--it->second > 0) return;
  faults_.erase(it);
  ops.push_back("FAIL " + op);
  throw BpfError(kind, object, EIO, "injected failure",
                 op == "verifier" ? "0: (b7) r0 = 0\ninvalid access to packet" : "");
}

FakeKernel::Map& FakeKernel::map_at(const std::string& path) {
  return maps.at(pins.at(path));
}

Features FakeKernel::features(const std::string&) { return feats; }

size_t FakeKernel::value_bytes(const MapInfo& i) const {
  return i.percpu() ? size_t((i.value_size + 7) / 8 * 8) * cpus : i.value_size;
}

Loaded FakeKernel::load(const LoadSpec& spec) {
  ops.push_back("load");
  maybe_fail("load", ErrorKind::Load, spec.what);
  if (spec.prog != object_prog)
    throw BpfError(ErrorKind::Open, "program " + spec.prog, ENOENT, "not in the object");
  Loaded out;
  std::map<int, Map> created;
  Prog prog{spec.prog, {}};
  for (const auto& def : object_maps) {
    if (auto r = spec.reuse.find(def.name); r != spec.reuse.end()) {
      if (!maps.count(r->second.get()))
        throw BpfError(ErrorKind::Load, "map " + def.name, EBADF, "reuse shared map");
      prog.maps[def.name] = r->second.get();
      out.maps[def.name] = handle(r->second.get());
      continue;
    }
    maybe_fail("map_create", ErrorKind::MapCreate, "map " + def.name);
    Map m;
    m.name = def.name;
    m.info.kind = def.kind;
    m.info.key_size = def.key_size;
    m.info.value_size = def.value_size;
    m.info.max_entries = def.max_entries;
    if (auto e = spec.max_entries.find(def.name); e != spec.max_entries.end())
      m.info.max_entries = e->second;
    if (auto v = spec.initial_values.find(def.name); v != spec.initial_values.end()) {
      if (v->second.size() != def.value_size)
        throw BpfError(ErrorKind::Load, "map " + def.name, EINVAL, "initial value size");
      m.data[Bytes(4, 0)] = v->second;
    }
    int id = next_id_++;
    m.info.id = id;
    created[id] = std::move(m);
    prog.maps[def.name] = id;
    out.maps[def.name] = handle(id);
  }
  maybe_fail("verifier", ErrorKind::Verifier, "program " + spec.prog);
  maps.merge(created);
  int pid = next_id_++;
  progs[pid] = prog;
  out.prog = handle(pid);
  out.prog_id = pid;
  return out;
}

MapInfo FakeKernel::map_info(const Fd& map, const std::string& name) {
  auto it = maps.find(map.get());
  if (it == maps.end()) throw BpfError(ErrorKind::Query, "map " + name, EBADF, "");
  return it->second.info;
}

uint32_t FakeKernel::prog_id(const Fd& prog) {
  if (!progs.count(prog.get())) throw BpfError(ErrorKind::Query, "program", EBADF, "");
  return prog.get();
}

Fd FakeKernel::prog_by_id(uint32_t id) {
  if (!progs.count(id)) throw BpfError(ErrorKind::Query, "program id", ENOENT, "");
  return handle(id);
}

void FakeKernel::update_batch(const Fd& map, const std::string& name, const void* keys,
                              const void* values, uint32_t count) {
  ops.push_back("update_batch " + name);
  maybe_fail("update_batch", ErrorKind::MapUpdate, "map " + name);
  Map& m = maps.at(map.get());
  size_t vs = value_bytes(m.info);
  if (m.data.size() + count > m.info.max_entries && m.info.kind != MapKind::Array &&
      m.info.kind != MapKind::PercpuArray)
    throw BpfError(ErrorKind::MapUpdate, "map " + name, E2BIG, "");
  for (uint32_t i = 0; i < count; ++i) {
    const auto* k = static_cast<const uint8_t*>(keys) + size_t(i) * m.info.key_size;
    const auto* v = static_cast<const uint8_t*>(values) + size_t(i) * vs;
    Bytes key(k, k + m.info.key_size);
    if ((m.info.kind == MapKind::Array || m.info.kind == MapKind::PercpuArray)) {
      uint32_t idx;
      std::memcpy(&idx, k, 4);
      if (idx >= m.info.max_entries) throw BpfError(ErrorKind::MapUpdate, "map " + name, E2BIG, "");
    }
    m.data[key] = Bytes(v, v + vs);
  }
}

bool FakeKernel::insert(const Fd& map, const std::string& name, const void* key,
                        const void* value) {
  maybe_fail("insert", ErrorKind::MapUpdate, "map " + name);
  Map& m = maps.at(map.get());
  const auto* k = static_cast<const uint8_t*>(key);
  const auto* v = static_cast<const uint8_t*>(value);
  Bytes kb(k, k + m.info.key_size);
  if (m.data.count(kb)) return false;
  m.data[kb] = Bytes(v, v + value_bytes(m.info));
  return true;
}

bool FakeKernel::lookup(const Fd& map, const std::string& name, const void* key, void* value) {
  auto it = maps.find(map.get());
  if (it == maps.end()) throw BpfError(ErrorKind::MapLookup, "map " + name, EBADF, "");
  Map& m = it->second;
  const auto* k = static_cast<const uint8_t*>(key);
  Bytes kb(k, k + m.info.key_size);
  auto d = m.data.find(kb);
  if (d == m.data.end()) {
    bool array = m.info.kind == MapKind::Array || m.info.kind == MapKind::PercpuArray;
    uint32_t idx = 0;
    if (array) std::memcpy(&idx, k, 4);
    if (!array || idx >= m.info.max_entries) return false;
    std::memset(value, 0, value_bytes(m.info));  // arrays read as zero
    return true;
  }
  std::memcpy(value, d->second.data(), d->second.size());
  return true;
}

Fd FakeKernel::create_array(const std::string& name, uint32_t value_size, uint32_t max_entries) {
  ops.push_back("create_array " + name);
  maybe_fail("create_array", ErrorKind::MapCreate, "map " + name);
  Map m;
  m.name = name;
  m.info = {MapKind::Array, 0, 4, value_size, max_entries};
  int id = next_id_++;
  m.info.id = id;
  maps[id] = std::move(m);
  return handle(id);
}

void FakeKernel::pin(const Fd& obj, const std::string& path) {
  ops.push_back("pin " + path);
  maybe_fail("pin", ErrorKind::Pin, path);
  if (pins.count(path)) throw BpfError(ErrorKind::Pin, path, EEXIST, "");
  auto slash = path.find_last_of('/');
  if (!dirs.count(path.substr(0, slash))) throw BpfError(ErrorKind::Pin, path, ENOENT, "");
  pins[path] = obj.get();
}

Fd FakeKernel::get_pinned(const std::string& path) {
  auto it = pins.find(path);
  return it == pins.end() ? Fd() : handle(it->second);
}

void FakeKernel::unpin(const std::string& path) {
  ops.push_back("unpin " + path);
  maybe_fail("unpin", ErrorKind::Unpin, path);
  auto it = pins.find(path);
  if (it == pins.end()) return;
  // A link without pins or holders goes away, and with it the attachment.
  if (links.count(it->second)) {
    int ifindex = links[it->second].ifindex;
    xdp_links.erase(ifindex);
    links.erase(it->second);
  }
  pins.erase(it);
}

void FakeKernel::make_dir(const std::string& path) {
  maybe_fail("make_dir", ErrorKind::Filesystem, path);
  dirs.insert(path);
}

void FakeKernel::remove_dir(const std::string& path) {
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
  ops.push_back("lock " + path);
  if (!dirs.count(path)) throw BpfError(ErrorKind::Filesystem, path, ENOENT, "open for locking");
  return std::make_shared<int>(0);
}

Fd FakeKernel::create_xdp_link(const Fd& prog, int ifindex, AttachMode* mode) {
  ops.push_back("link_create");
  maybe_fail("link_create", ErrorKind::Link, "ifindex " + std::to_string(ifindex));
  if (xdp_links.count(ifindex)) throw BpfError(ErrorKind::Link, "ifindex", EBUSY, "");
  int id = next_id_++;
  links[id] = {prog.get(), ifindex, native_xdp ? AttachMode::Native : AttachMode::Skb};
  xdp_links[ifindex] = id;
  if (mode) *mode = links[id].mode;
  return handle(id);
}

void FakeKernel::link_update(const Fd& link, const Fd& new_prog, const Fd& expected_old) {
  ops.push_back("link_update");
  maybe_fail("link_update", ErrorKind::LinkUpdate, "xdp link");
  if (before_link_update) before_link_update();
  Link& l = links.at(link.get());
  if (l.prog != expected_old.get())
    throw BpfError(ErrorKind::LinkUpdate, "xdp link", EPERM,
                   "the link no longer runs the expected program");
  l.prog = new_prog.get();
}

uint32_t FakeKernel::link_prog_id(const Fd& link) { return links.at(link.get()).prog; }

AttachMode FakeKernel::xdp_mode(int ifindex) {
  auto it = xdp_links.find(ifindex);
  return it == xdp_links.end() ? AttachMode::None : links.at(it->second).mode;
}

TestRunResult FakeKernel::test_run(const Fd& prog, std::span<const uint8_t> frame,
                                   uint32_t repeat, std::span<const uint8_t>) {
  ops.push_back("test_run");
  maybe_fail("test_run", ErrorKind::TestRun, "program");
  return {program(progs.at(prog.get()), frame), 10};
}

std::unique_ptr<RingReader> FakeKernel::ring_reader(
    const Fd&, std::function<void(std::span<const uint8_t>)>) {
  struct Empty : RingReader {
    int poll(int) override { return 0; }
  };
  return std::make_unique<Empty>();
}

}  // namespace sentinel::enforcer::bpf
