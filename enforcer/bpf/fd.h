// An owned kernel object handle. Copies share ownership; the descriptor is
// closed when the last copy goes away, so generations, links and maps can be
// passed around freely without leaking or double-closing.
#pragma once
#include <functional>
#include <memory>

namespace sentinel::enforcer::bpf {

class Fd {
 public:
  Fd() = default;
  // Takes ownership of `fd`; `closer` releases it (::close for real fds).
  Fd(int fd, std::function<void(int)> closer)
      : h_(fd >= 0 ? std::make_shared<Holder>(fd, std::move(closer)) : nullptr) {}

  int get() const { return h_ ? h_->fd : -1; }
  explicit operator bool() const { return h_ != nullptr; }
  void reset() { h_.reset(); }

 private:
  struct Holder {
    Holder(int f, std::function<void(int)> c) : fd(f), closer(std::move(c)) {}
    ~Holder() {
      if (closer) closer(fd);
    }
    Holder(const Holder&) = delete;
    Holder& operator=(const Holder&) = delete;
    int fd;
    std::function<void(int)> closer;
  };
  std::shared_ptr<Holder> h_;
};

}  // namespace sentinel::enforcer::bpf
