#include "compiler/pir/addr.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace sentinel::pir {

unsigned __int128 Addr::value() const {
  unsigned __int128 v = 0;
  unsigned n = bits() / 8;
  for (unsigned i = 0; i < n; ++i) v = (v << 8) | bytes[i];
  return v;
}

Addr Addr::from_value(Family f, unsigned __int128 v) {
  Addr a;
  a.family = f;
  unsigned n = f == Family::V4 ? 4 : 16;
  for (unsigned i = n; i-- > 0;) {
    a.bytes[i] = static_cast<uint8_t>(v & 0xff);
    v >>= 8;
  }
  return a;
}

namespace {
unsigned __int128 host_mask(unsigned bits, unsigned len) {
  unsigned host = bits - len;
  if (host == 0) return 0;
  if (host >= 128) return ~static_cast<unsigned __int128>(0);
  return (static_cast<unsigned __int128>(1) << host) - 1;
}
}  // namespace

unsigned __int128 Cidr::first() const { return addr.value() & ~host_mask(addr.bits(), len); }
unsigned __int128 Cidr::last() const { return addr.value() | host_mask(addr.bits(), len); }

bool Cidr::contains(const Addr& a) const {
  if (a.family != addr.family) return false;
  unsigned __int128 v = a.value();
  return v >= first() && v <= last();
}

bool Cidr::contains(const Cidr& c) const {
  return c.addr.family == addr.family && c.len >= len && contains(c.addr);
}

std::optional<Addr> parse_addr(std::string_view s) {
  std::string str(s);
  Addr a;
  if (str.find(':') != std::string::npos) {
    a.family = Family::V6;
    if (inet_pton(AF_INET6, str.c_str(), a.bytes.data()) != 1) return std::nullopt;
  } else {
    a.family = Family::V4;
    // inet_pton accepts only dotted quads; that is the form we want.
    if (inet_pton(AF_INET, str.c_str(), a.bytes.data()) != 1) return std::nullopt;
  }
  return a;
}

std::optional<Cidr> parse_prefix(std::string_view s) {
  auto slash = s.find('/');
  auto a = parse_addr(s.substr(0, slash));
  if (!a) return std::nullopt;
  Cidr c;
  c.addr = *a;
  c.len = static_cast<uint8_t>(a->bits());
  if (slash != std::string_view::npos) {
    auto num = s.substr(slash + 1);
    unsigned len = 0;
    auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), len);
    if (ec != std::errc() || p != num.data() + num.size() || num.empty() || len > a->bits())
      return std::nullopt;
    c.len = static_cast<uint8_t>(len);
  }
  return c;
}

std::optional<Cidr> parse_cidr(std::string_view s, bool* host_bits) {
  if (host_bits) *host_bits = false;
  auto c = parse_prefix(s);
  if (!c) return std::nullopt;
  unsigned __int128 v = c->addr.value();
  unsigned __int128 masked = v & ~host_mask(c->addr.bits(), c->len);
  if (masked != v && host_bits) *host_bits = true;
  c->addr = Addr::from_value(c->addr.family, masked);
  return c;
}

std::string format(const Addr& a) {
  char buf[INET6_ADDRSTRLEN];
  if (a.family == Family::V4) {
    // By hand: glibc's inet_ntop goes through sprintf, and printing a policy
    // of 100,000 rules formats a few hundred thousand of these.
    char* p = buf;
    for (int i = 0; i < 4; ++i) {
      if (i) *p++ = '.';
      p = std::to_chars(p, buf + sizeof buf, a.bytes[i]).ptr;
    }
    return std::string(buf, p);
  }
  inet_ntop(AF_INET6, a.bytes.data(), buf, sizeof buf);
  return buf;
}

std::string format(const Cidr& c) {
  std::string s = format(c.addr);
  if (c.len == c.addr.bits()) return s;
  char buf[4];
  s += '/';
  s.append(buf, std::to_chars(buf, buf + sizeof buf, c.len).ptr);
  return s;
}

std::string format(const PortRange& r) {
  if (r.lo == r.hi) return std::to_string(r.lo);
  return std::to_string(r.lo) + ".." + std::to_string(r.hi);
}

}  // namespace sentinel::pir
