#include "enforcer/core/links.h"

#include <charconv>
#include <cstring>

#include "enforcer/core/error.h"

namespace sentinel::enforcer::core {

namespace {

constexpr backend::Hook kHooks[] = {backend::Hook::Xdp, backend::Hook::TcxIngress, backend::Hook::TcxEgress};

}  // namespace

uint32_t hook_bit(backend::Hook h) {
  switch (h) {
    case backend::Hook::Xdp: return kHookXdp;
    case backend::Hook::TcxIngress: return kHookTcxIngress;
    case backend::Hook::TcxEgress: return kHookTcxEgress;
    default: return 0;
  }
}

const char* link_name(backend::Hook h) {
  switch (h) {
    case backend::Hook::Xdp: return kLinkNames[0];
    case backend::Hook::TcxIngress: return kLinkNames[1];
    case backend::Hook::TcxEgress: return kLinkNames[2];
    default: return "";
  }
}

bool IfaceLinks::gone() const {
  if (current_name.empty()) return true;
  for (const auto& [h, info] : links)
    if (info.ifindex == 0) return true;
  return false;
}

std::vector<IfaceLinks> list_links(bpf::Kernel& k, const Layout& l) {
  std::vector<IfaceLinks> out;
  for (const auto& dir : k.list_dir(l.links())) {
    uint32_t idx = 0;
    auto [p, ec] = std::from_chars(dir.data(), dir.data() + dir.size(), idx);
    if (ec != std::errc() || p != dir.data() + dir.size()) continue;
    IfaceLinks il;
    il.ifindex = idx;
    il.current_name = k.ifname_of(idx);
    if (bpf::Fd m = k.get_pinned(l.link(idx, "meta"))) {
      IfaceRecord r{};
      uint32_t zero = 0;
      if (k.lookup(m, "meta", &zero, &r)) il.attached_name.assign(r.name, strnlen(r.name, sizeof r.name));
    }
    for (backend::Hook h : kHooks)
      if (bpf::Fd f = k.get_pinned(l.link(idx, link_name(h)))) il.links[h] = k.link_info(f);
    if (il.links.count(backend::Hook::Xdp) && !il.gone()) {
      try {
        il.xdp_mode = k.xdp_mode(static_cast<int>(idx));
      } catch (const bpf::BpfError&) {
      }
    }
    out.push_back(std::move(il));
  }
  return out;
}

bool same_device(bpf::Kernel& k, const Layout& l, uint32_t ifindex, const std::string& name) {
  std::string now = k.ifname_of(ifindex);
  if (now.empty()) return false;
  bool linked = false;
  for (backend::Hook h : kHooks) {
    bpf::Fd f = k.get_pinned(l.link(ifindex, link_name(h)));
    if (!f) continue;
    if (k.link_info(f).ifindex == 0) return false;
    linked = true;
  }
  return linked || now == name;
}

void ensure_links(bpf::Kernel& k, const Layout& l, Dispatcher& d, uint32_t ifindex, const std::string& name,
                  uint32_t hooks, Undo& undo) {
  std::string dir = l.link_dir(ifindex);
  k.make_dir(l.links());
  bool fresh_dir = k.list_dir(dir).empty();
  if (fresh_dir) {
    k.make_dir(dir);
    undo.dirs.push_back(dir);
  }
  if (!k.get_pinned(l.link(ifindex, "meta"))) {
    IfaceRecord r{};
    r.ifindex = ifindex;
    std::strncpy(r.name, name.c_str(), sizeof r.name - 1);
    bpf::Fd m = k.create_array("sn_iface", sizeof r, 1);
    uint32_t zero = 0;
    k.update_batch(m, "meta", &zero, &r, 1);
    k.pin(m, l.link(ifindex, "meta"));
    undo.pins.push_back(l.link(ifindex, "meta"));
  }
  for (backend::Hook h : kHooks) {
    if (!(hooks & hook_bit(h))) continue;
    std::string path = l.link(ifindex, link_name(h));
    bpf::Fd prog = d.prog(h);
    if (bpf::Fd have = k.get_pinned(path)) {
      bpf::LinkInfo info = k.link_info(have);
      uint32_t want = k.prog_id(prog);
      if (info.ifindex != 0 && info.prog_id != want) k.link_update(have, prog, k.prog_by_id(info.prog_id));
      if (info.ifindex != 0) continue;
      k.unpin(path);  // a link whose device went away: make a new one
    }
    bpf::Fd link;
    try {
      if (h == backend::Hook::Xdp) {
        bpf::AttachMode mode;
        link = k.create_xdp_link(prog, static_cast<int>(ifindex), &mode);
      } else {
        link = k.create_tcx_link(prog, static_cast<int>(ifindex), h == backend::Hook::TcxIngress);
      }
    } catch (const bpf::BpfError& e) {
      bool taken = e.err() == EBUSY || e.err() == EEXIST;
      std::string hint = taken ? " (another XDP program is attached there, not by Sentinel)" : "";
      throw Error("attach", name + ": " + e.what() + hint);
    }
    k.pin(link, path);
    undo.pins.push_back(path);
  }
}

void record_name(bpf::Kernel& k, const Layout& l, uint32_t ifindex, const std::string& name) {
  bpf::Fd m = k.get_pinned(l.link(ifindex, "meta"));
  if (!m) return;
  IfaceRecord r{};
  uint32_t zero = 0;
  if (k.lookup(m, "meta", &zero, &r) && name == std::string(r.name, strnlen(r.name, sizeof r.name))) return;
  r = IfaceRecord{};
  r.ifindex = ifindex;
  std::strncpy(r.name, name.c_str(), sizeof r.name - 1);
  k.update_batch(m, "meta", &zero, &r, 1);
}

void remove_links(bpf::Kernel& k, const Layout& l, uint32_t ifindex, uint32_t hooks) {
  for (backend::Hook h : kHooks)
    if (hooks & hook_bit(h)) k.unpin(l.link(ifindex, link_name(h)));
  bool any = false;
  for (backend::Hook h : kHooks) any = any || static_cast<bool>(k.get_pinned(l.link(ifindex, link_name(h))));
  if (!any) {
    k.unpin(l.link(ifindex, "meta"));
    k.remove_dir(l.link_dir(ifindex));
  }
}

}  // namespace sentinel::enforcer::core
