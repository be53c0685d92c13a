// A value-semantic owner of a polymorphic object: copying clones, == compares
// the objects. Domain blocks of the AST and the PIR are held this way, so
// that a file or a policy copies and compares like a plain struct while each
// domain defines its block in its own files.
#pragma once
#include <memory>
#include <utility>

namespace sentinel {

template <class Base>
class Poly {
 public:
  Poly() = default;
  explicit Poly(std::unique_ptr<Base> p) : p_(std::move(p)) {}
  Poly(const Poly& o) : p_(o.p_ ? o.p_->clone() : nullptr) {}
  Poly(Poly&&) noexcept = default;
  Poly& operator=(const Poly& o) {
    if (this != &o) p_ = o.p_ ? o.p_->clone() : nullptr;
    return *this;
  }
  Poly& operator=(Poly&&) noexcept = default;

  Base* get() const { return p_.get(); }
  Base& operator*() const { return *p_; }
  Base* operator->() const { return p_.get(); }
  explicit operator bool() const { return p_ != nullptr; }

  bool operator==(const Poly& o) const {
    if (!p_ || !o.p_) return !p_ && !o.p_;
    return p_->equals(*o.p_);
  }

 private:
  std::unique_ptr<Base> p_;
};

// Implements clone() and equals() of Base for Derived, which must have a
// defaulted operator==. Equal objects are of the same type and compare equal.
template <class Derived, class Base>
struct PolyImpl : Base {
  std::unique_ptr<Base> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
  bool equals(const Base& o) const override {
    auto* d = dynamic_cast<const Derived*>(&o);
    return d && *d == static_cast<const Derived&>(*this);
  }
  bool operator==(const PolyImpl&) const = default;
};

}  // namespace sentinel
