// The links of a namespace's interfaces to the dispatchers. An interface is
// known by its index in the namespace (which a rename keeps and a re-created
// interface does not), with the name it had when it was attached; a link
// whose device went away reports no interface.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "enforcer/bpf/kernel.h"
#include "enforcer/core/dispatch.h"
#include "enforcer/core/layout.h"

namespace sentinel::enforcer::core {

struct IfaceLinks {
  uint32_t ifindex = 0;
  std::string attached_name;  // when the links were made
  std::string current_name;   // now; "" when no interface has the index
  std::map<backend::Hook, bpf::LinkInfo> links;
  bpf::AttachMode xdp_mode = bpf::AttachMode::None;
  // The device went away (deleted, or moved to another namespace).
  bool gone() const;
};

std::vector<IfaceLinks> list_links(bpf::Kernel& k, const Layout& l);

// Makes sure the interface has a link at each hook of `hooks` (kHook* bits)
// running the dispatcher, creating the missing ones. Records what it pins.
void ensure_links(bpf::Kernel& k, const Layout& l, Dispatcher& d, uint32_t ifindex, const std::string& name,
                  uint32_t hooks, Undo& undo);

// Records `name` as the name the interface's links were last applied under
// (links/<ifindex>/meta), when it differs.
void record_name(bpf::Kernel& k, const Layout& l, uint32_t ifindex, const std::string& name);

// Removes the interface's links at `hooks` (all with kAllHooks), and its
// directory when none is left.
void remove_links(bpf::Kernel& k, const Layout& l, uint32_t ifindex, uint32_t hooks);
inline constexpr uint32_t kAllHooks = kHookXdp | kHookTcxIngress | kHookTcxEgress;

// Whether the device with `ifindex` is still the interface that was
// attached as `name`: a link still attached to it says so whatever it is
// called now (a rename keeps the device); without a link only the name can.
// An index can be taken again by a new device once the old one is gone.
bool same_device(bpf::Kernel& k, const Layout& l, uint32_t ifindex, const std::string& name);

uint32_t hook_bit(backend::Hook h);
const char* link_name(backend::Hook h);

}  // namespace sentinel::enforcer::core
