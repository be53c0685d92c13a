// Entering a named network namespace (/run/netns/NAME) for the calling
// thread only. setns() changes only the
// network namespace: bpffs stays visible, which `ip netns exec` (a new mount
// namespace with /sys remounted) would hide.
#pragma once
#include <cstdint>
#include <string>

namespace sentinel::enforcer::core {

class NetnsGuard {
 public:
  // Empty name: stays where it is. Throws core::Error when it cannot enter.
  explicit NetnsGuard(const std::string& name);
  ~NetnsGuard();  // returns to the original namespace
  NetnsGuard(const NetnsGuard&) = delete;
  NetnsGuard& operator=(const NetnsGuard&) = delete;

 private:
  int orig_ = -1;
};

// Enters for good (the CLI: the whole process then works in that namespace).
void enter_netns(const std::string& name);

}  // namespace sentinel::enforcer::core
