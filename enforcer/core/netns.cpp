#include "enforcer/core/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "enforcer/core/error.h"

namespace sentinel::enforcer::core {
namespace {

void join(const std::string& name) {
  std::string path = "/run/netns/" + name;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error("netns", "cannot open " + path + ": " + std::strerror(errno));
  int rc = ::setns(fd, CLONE_NEWNET);
  int e = errno;
  ::close(fd);
  if (rc) throw Error("netns", "cannot enter " + name + ": " + std::strerror(e));
}

}  // namespace

NetnsGuard::NetnsGuard(const std::string& name) {
  if (name.empty()) return;
  orig_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (orig_ < 0) throw Error("netns", std::string("cannot open own namespace: ") + std::strerror(errno));
  try {
    join(name);
  } catch (...) {
    ::close(orig_);
    throw;
  }
}

NetnsGuard::~NetnsGuard() {
  if (orig_ < 0) return;
  ::setns(orig_, CLONE_NEWNET);
  ::close(orig_);
}

void enter_netns(const std::string& name) {
  if (!name.empty()) join(name);
}

}  // namespace sentinel::enforcer::core
