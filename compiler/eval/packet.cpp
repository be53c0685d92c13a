#include "compiler/eval/packet.h"

#include "compiler/pir/pir.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <sstream>

namespace sentinel::eval {

namespace {

std::vector<std::string_view> split_ws(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t b = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > b) out.push_back(s.substr(b, i - b));
  }
  return out;
}

template <typename T>
bool parse_num(std::string_view s, T& out, T max) {
  unsigned long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty() || v > max) return false;
  out = static_cast<T>(v);
  return true;
}

// "10.0.0.1:80", "10.0.0.1", "[2001:db8::1]:80", "2001:db8::1"
bool parse_endpoint(std::string_view s, bool want_port, pir::Addr& addr, uint16_t& port,
                    std::string* err) {
  std::string_view host = s, portstr;
  if (!s.empty() && s[0] == '[') {
    auto close = s.find(']');
    if (close == std::string_view::npos) {
      *err = "missing ']' in `" + std::string(s) + "`";
      return false;
    }
    host = s.substr(1, close - 1);
    if (close + 1 < s.size()) {
      if (s[close + 1] != ':') {
        *err = "expected ':' after ']' in `" + std::string(s) + "`";
        return false;
      }
      portstr = s.substr(close + 2);
    }
  } else if (std::count(s.begin(), s.end(), ':') == 1) {
    auto colon = s.find(':');
    host = s.substr(0, colon);
    portstr = s.substr(colon + 1);
  }
  auto a = pir::parse_addr(host);
  if (!a) {
    *err = "invalid address `" + std::string(host) + "`";
    return false;
  }
  addr = *a;
  port = 0;
  if (!portstr.empty()) {
    if (!want_port) {
      *err = "this protocol has no ports: `" + std::string(s) + "`";
      return false;
    }
    if (!parse_num<uint16_t>(portstr, port, 65535)) {
      *err = "invalid port `" + std::string(portstr) + "`";
      return false;
    }
  } else if (want_port) {
    *err = "missing port in `" + std::string(s) + "`";
    return false;
  }
  return true;
}

}  // namespace

std::optional<Packet> parse_packet(std::string_view text, std::string* error) {
  std::string scratch;
  if (!error) error = &scratch;
  auto w = split_ws(text);
  Packet p;
  size_t i = 0;
  if (w.empty()) {
    *error = "empty packet";
    return std::nullopt;
  }
  if (w[0] == "tcp") p.proto = 6;
  else if (w[0] == "udp") p.proto = 17;
  else if (w[0] == "icmp") p.proto = 1;
  else if (w[0] == "icmpv6") p.proto = 58;
  else if (w[0] == "proto") {
    if (w.size() < 2 || !parse_num<uint8_t>(w[1], p.proto, 255)) {
      *error = "expected a protocol number after `proto`";
      return std::nullopt;
    }
    ++i;
  } else {
    *error = "unknown protocol `" + std::string(w[0]) + "` (tcp, udp, icmp, icmpv6, proto N)";
    return std::nullopt;
  }
  ++i;
  if (w.size() < i + 3 || w[i + 1] != "->") {
    *error = "expected `SRC -> DST`";
    return std::nullopt;
  }
  bool ports = p.proto == 6 || p.proto == 17;
  if (!parse_endpoint(w[i], ports, p.src, p.sport, error)) return std::nullopt;
  if (!parse_endpoint(w[i + 2], ports, p.dst, p.dport, error)) return std::nullopt;
  if (p.src.family != p.dst.family) {
    *error = "source and destination are of different address families";
    return std::nullopt;
  }
  p.family = p.src.family;
  if ((p.proto == 1 && p.family != pir::Family::V4) || (p.proto == 58 && p.family != pir::Family::V6)) {
    *error = std::string(w[0]) + " does not fit the address family";
    return std::nullopt;
  }
  if (p.proto == 58) p.icmp_type = 128;
  for (i += 3; i < w.size(); ++i) {
    if (!w[i].empty() && w[i][0] == '[') {
      if (p.proto != 6 || w[i].back() != ']') {
        *error = "TCP flags `[...]` need a tcp packet: `" + std::string(w[i]) + "`";
        return std::nullopt;
      }
      p.tcp_flags = 0;
      for (char c : w[i].substr(1, w[i].size() - 2)) {
        switch (c) {
          case 'S': p.tcp_flags |= kSyn; break;
          case 'F': p.tcp_flags |= kFin; break;
          case 'R': p.tcp_flags |= kRst; break;
          case 'P': p.tcp_flags |= kPsh; break;
          case 'U': p.tcp_flags |= kUrg; break;
          case '.': p.tcp_flags |= kAck; break;
          case 'E': p.tcp_flags |= kEce; break;
          case 'W': p.tcp_flags |= kCwr; break;
          default:
            *error = std::string("unknown TCP flag `") + c + "` (S F R P U . E W)";
            return std::nullopt;
        }
      }
    } else if ((w[i] == "type" || w[i] == "code" || w[i] == "id") && i + 1 < w.size()) {
      if (!p.is_icmp()) {
        *error = "`" + std::string(w[i]) + "` needs an icmp or icmpv6 packet";
        return std::nullopt;
      }
      bool ok = w[i] == "id" ? parse_num<uint16_t>(w[i + 1], p.icmp_id, 65535)
                : w[i] == "type" ? parse_num<uint8_t>(w[i + 1], p.icmp_type, 255)
                                 : parse_num<uint8_t>(w[i + 1], p.icmp_code, 255);
      if (!ok) {
        *error = "invalid ICMP " + std::string(w[i]) + " `" + std::string(w[i + 1]) + "`";
        return std::nullopt;
      }
      ++i;
    } else if (w[i] == "inner") {
      // `inner proto N SRC -> DST` names any other protocol by number.
      size_t at = i + 1 < w.size() && w[i + 1] == "proto" ? i + 2 : i + 1;
      if (!p.is_icmp() || at + 3 >= w.size() || w[at + 2] != "->") {
        *error = "expected `inner PROTO SRC -> DST` after an icmp packet";
        return std::nullopt;
      }
      Inner in;
      if (at == i + 2) {
        if (!parse_num<uint8_t>(w[at], in.proto, 255)) {
          *error = "expected a protocol number after `inner proto`";
          return std::nullopt;
        }
      } else if (w[at] == "tcp") in.proto = 6;
      else if (w[at] == "udp") in.proto = 17;
      else if (w[at] == "icmp") in.proto = 1;
      else if (w[at] == "icmpv6") in.proto = 58;
      else {
        *error = "unknown inner protocol `" + std::string(w[at]) + "` (tcp, udp, icmp, icmpv6, proto N)";
        return std::nullopt;
      }
      bool iports = in.proto == 6 || in.proto == 17;
      if (!parse_endpoint(w[at + 1], iports, in.src, in.sport, error) ||
          !parse_endpoint(w[at + 3], iports, in.dst, in.dport, error))
        return std::nullopt;
      if (in.src.family != p.family || in.dst.family != p.family) {
        *error = "the inner packet is of another address family";
        return std::nullopt;
      }
      p.inner = in;
      i = at + 3;
    } else if (w[i] == "frag") {
      p.fragment = true;
    } else if (w[i] == "vlan" && i + 1 < w.size()) {
      uint16_t id;
      if (!parse_num<uint16_t>(w[++i], id, 4095)) {
        *error = "invalid VLAN id `" + std::string(w[i]) + "`";
        return std::nullopt;
      }
      p.vlans.push_back(id);
    } else if (w[i] == "dscp" && i + 1 < w.size()) {
      if (!parse_num<uint8_t>(w[++i], p.dscp, 63)) {
        *error = "invalid DSCP `" + std::string(w[i]) + "` (0..63)";
        return std::nullopt;
      }
    } else if (w[i] == "on" && i + 1 < w.size()) {
      p.iface = std::string(w[++i]);
      if (!pir::valid_iface_name(p.iface)) {
        *error = "invalid interface name `" + p.iface + "`";
        return std::nullopt;
      }
    } else if (w[i] == "len" && i + 1 < w.size()) {
      if (!parse_num<uint32_t>(w[++i], p.payload, 1400)) {
        *error = "invalid payload length `" + std::string(w[i]) + "` (0..1400)";
        return std::nullopt;
      }
    } else {
      *error = "unexpected `" + std::string(w[i]) + "`";
      return std::nullopt;
    }
  }
  if (p.vlans.size() > 2) {
    *error = "at most two VLAN tags";
    return std::nullopt;
  }
  if (p.inner && !is_icmp_error(p)) {
    *error = "only ICMP errors (type 3, 4, 5, 11, 12; ICMPv6 1 to 4) quote a packet";
    return std::nullopt;
  }
  if (is_icmp_error(p) && !p.inner) {
    *error = "an ICMP error needs the packet it quotes: `inner PROTO SRC -> DST`";
    return std::nullopt;
  }
  return p;
}

std::optional<TimedPacket> parse_timed_packet(std::string_view text, std::string* error) {
  std::string scratch;
  if (!error) error = &scratch;
  TimedPacket tp;
  auto skip = [&] {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  };
  skip();
  if (!text.empty() && text.front() == '@') {
    size_t end = text.find_first_of(" \t");
    std::string_view t = text.substr(1, end == std::string_view::npos ? std::string_view::npos : end - 1);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end);
    size_t digits = 0;
    while (digits < t.size() && ((t[digits] >= '0' && t[digits] <= '9') || t[digits] == '.')) ++digits;
    std::string_view num = t.substr(0, digits), unit = t.substr(digits);
    double scale = unit.empty() || unit == "s" ? 1e9
                   : unit == "ms"                 ? 1e6
                   : unit == "us"                 ? 1e3
                   : unit == "ns"                 ? 1
                   : unit == "m"                  ? 60e9
                   : unit == "h"                  ? 3600e9
                   : unit == "d"                  ? 86400e9
                                                  : 0;
    char* endp = nullptr;
    std::string n(num);
    double v = n.empty() ? -1 : std::strtod(n.c_str(), &endp);
    if (scale == 0 || v < 0 || !endp || *endp || v * scale > 1.8e19) {
      *error = "invalid time `@" + std::string(t) + "` (seconds, or with ns, us, ms, s, m, h or d)";
      return std::nullopt;
    }
    tp.time_ns = static_cast<uint64_t>(v * scale + 0.5);
    skip();
  }
  if (text.substr(0, 3) == "in ") {
    text.remove_prefix(3);
  } else if (text.substr(0, 4) == "out ") {
    tp.egress = true;
    text.remove_prefix(4);
  }
  auto p = parse_packet(text, error);
  if (!p) return std::nullopt;
  tp.pkt = *p;
  return tp;
}

std::string format(const Packet& p) {
  std::ostringstream os;
  switch (p.proto) {
    case 6: os << "tcp"; break;
    case 17: os << "udp"; break;
    case 1: os << "icmp"; break;
    case 58: os << "icmpv6"; break;
    default: os << "proto " << unsigned(p.proto);
  }
  bool ports = p.proto == 6 || p.proto == 17;
  auto ep = [&](const pir::Addr& a, uint16_t port) {
    std::string s = pir::format(a);
    if (!ports) return s;
    if (a.family == pir::Family::V6) s = "[" + s + "]";
    return s + ":" + std::to_string(port);
  };
  os << ' ' << ep(p.src, p.sport) << " -> " << ep(p.dst, p.dport);
  if (p.proto == 6 && p.tcp_flags != kSyn) {
    os << " [";
    for (auto [bit, c] : {std::pair{kSyn, 'S'}, {kFin, 'F'}, {kRst, 'R'}, {kPsh, 'P'}, {kUrg, 'U'}, {kAck, '.'}, {kEce, 'E'}, {kCwr, 'W'}})
      if (p.tcp_flags & bit) os << c;
    os << ']';
  }
  if (p.is_icmp()) {
    uint8_t echo = p.proto == 1 ? 8 : 128;
    if (p.icmp_type != echo) os << " type " << unsigned(p.icmp_type);
    if (p.icmp_code) os << " code " << unsigned(p.icmp_code);
    if ((is_echo_request(p) || is_echo_reply(p)) && p.icmp_id != 1) os << " id " << p.icmp_id;
    if (p.inner) {
      const Inner& q = *p.inner;
      bool qports = q.proto == 6 || q.proto == 17;
      auto qep = [&](const pir::Addr& a, uint16_t port) {
        std::string s = pir::format(a);
        if (!qports) return s;
        if (a.family == pir::Family::V6) s = "[" + s + "]";
        return s + ":" + std::to_string(port);
      };
      std::string name = q.proto == 6    ? "tcp"
                         : q.proto == 17 ? "udp"
                         : q.proto == 1  ? "icmp"
                         : q.proto == 58 ? "icmpv6"
                                         : "proto " + std::to_string(q.proto);
      os << " inner " << name << ' ' << qep(q.src, q.sport) << " -> " << qep(q.dst, q.dport);
    }
  }
  if (p.fragment) os << " frag";
  for (auto v : p.vlans) os << " vlan " << v;
  if (p.dscp) os << " dscp " << unsigned(p.dscp);
  if (p.payload) os << " len " << p.payload;
  if (!p.iface.empty()) os << " on " << p.iface;
  return os.str();
}

namespace {
void put16(std::vector<uint8_t>& b, uint16_t v) {
  b.push_back(v >> 8);
  b.push_back(v & 0xff);
}
uint16_t csum(const uint8_t* d, size_t n) {
  uint32_t s = 0;
  for (size_t i = 0; i + 1 < n; i += 2) s += (d[i] << 8) | d[i + 1];
  if (n & 1) s += d[n - 1] << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<uint16_t>(~s);
}
void put32(std::vector<uint8_t>& b, uint32_t v) {
  put16(b, v >> 16);
  put16(b, v & 0xffff);
}

// The IP header of a packet (no options, no extension headers) with `l4len`
// bytes after it.
std::vector<uint8_t> ip_header(pir::Family fam, uint8_t proto, const pir::Addr& src,
                               const pir::Addr& dst, size_t l4len, uint8_t dscp = 0) {
  std::vector<uint8_t> ip;
  if (fam == pir::Family::V4) {
    ip.assign(20, 0);
    ip[0] = 0x45;
    ip[1] = static_cast<uint8_t>(dscp << 2);
    uint16_t tot = static_cast<uint16_t>(20 + l4len);
    ip[2] = tot >> 8;
    ip[3] = tot & 0xff;
    ip[5] = 1;
    ip[8] = 64;
    ip[9] = proto;
    std::copy_n(src.bytes.begin(), 4, ip.begin() + 12);
    std::copy_n(dst.bytes.begin(), 4, ip.begin() + 16);
    uint16_t c = csum(ip.data(), 20);
    ip[10] = c >> 8;
    ip[11] = c & 0xff;
  } else {
    ip.assign(40, 0);
    ip[0] = static_cast<uint8_t>(0x60 | (dscp >> 2));
    ip[1] = static_cast<uint8_t>((dscp & 3) << 6);
    ip[4] = l4len >> 8;
    ip[5] = l4len & 0xff;
    ip[6] = proto;
    ip[7] = 64;
    std::copy_n(src.bytes.begin(), 16, ip.begin() + 8);
    std::copy_n(dst.bytes.begin(), 16, ip.begin() + 24);
  }
  return ip;
}

}  // namespace

bool is_icmp_error(const Packet& p) {
  if (p.proto == 1) {
    uint8_t t = p.icmp_type;
    return t == 3 || t == 4 || t == 5 || t == 11 || t == 12;
  }
  return p.proto == 58 && p.icmp_type >= 1 && p.icmp_type <= 4;
}

bool is_echo_request(const Packet& p) {
  return (p.proto == 1 && p.icmp_type == 8) || (p.proto == 58 && p.icmp_type == 128);
}

bool is_echo_reply(const Packet& p) {
  return (p.proto == 1 && p.icmp_type == 0) || (p.proto == 58 && p.icmp_type == 129);
}

std::vector<uint8_t> build_frame(const Packet& p) {
  std::vector<uint8_t> f = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1};
  for (size_t i = 0; i < p.vlans.size(); ++i) {
    put16(f, (p.vlans.size() == 2 && i == 0) ? 0x88a8 : 0x8100);
    put16(f, p.vlans[i]);
  }
  bool v4 = p.family == pir::Family::V4;
  put16(f, v4 ? 0x0800 : 0x86dd);

  std::vector<uint8_t> l4;
  if (!p.fragment) {
    if (p.proto == 6) {
      put16(l4, p.sport);
      put16(l4, p.dport);
      for (int i = 0; i < 8; ++i) l4.push_back(0);  // seq, ack
      l4.push_back(0x50);  // data offset 5
      l4.push_back(p.tcp_flags);
      put16(l4, 65535);
      put16(l4, 0);
      put16(l4, 0);
    } else if (p.proto == 17) {
      put16(l4, p.sport);
      put16(l4, p.dport);
      put16(l4, static_cast<uint16_t>(8 + p.payload));
      put16(l4, 0);
    } else if (p.is_icmp()) {
      l4 = {p.icmp_type, p.icmp_code, 0, 0};
      if (p.inner) {
        put32(l4, 0);  // unused (v4), MTU or pointer (v6)
        std::vector<uint8_t> q;  // the quoted packet's first 8 L4 bytes
        if (p.inner->proto == 6 || p.inner->proto == 17) {
          put16(q, p.inner->sport);
          put16(q, p.inner->dport);
          put32(q, 0);
        } else if (p.inner->proto == (v4 ? 1 : 58)) {
          q = {static_cast<uint8_t>(v4 ? 8 : 128), 0, 0, 0, 0, 1, 0, 1};  // echo request, id 1
        } else {
          q.assign(8, 0);
        }
        auto ih = ip_header(p.family, p.inner->proto, p.inner->src, p.inner->dst, 8);
        l4.insert(l4.end(), ih.begin(), ih.end());
        l4.insert(l4.end(), q.begin(), q.end());
      } else {
        put16(l4, p.icmp_id);
        put16(l4, 1);  // sequence
      }
    }
  }
  l4.resize(l4.size() + p.payload, 0xab);
  if (p.fragment && l4.empty()) l4.resize(8, 0xcd);  // a fragment always carries data

  if (v4) {
    std::vector<uint8_t> ip = ip_header(p.family, p.proto, p.src, p.dst, l4.size(), p.dscp);
    if (p.fragment) {
      ip[7] = 185;  // offset 185*8 = 1480 bytes: a later fragment
      ip[10] = ip[11] = 0;
      uint16_t c = csum(ip.data(), 20);
      ip[10] = c >> 8;
      ip[11] = c & 0xff;
    }
    f.insert(f.end(), ip.begin(), ip.end());
  } else {
    std::vector<uint8_t> ip = ip_header(p.family, p.fragment ? 44 : p.proto, p.src, p.dst,
                                        l4.size() + (p.fragment ? 8 : 0), p.dscp);
    f.insert(f.end(), ip.begin(), ip.end());
    if (p.fragment) {
      // next header, reserved, offset 1480/8 with M=0, identification
      std::vector<uint8_t> fh = {p.proto, 0, static_cast<uint8_t>((185 << 3) >> 8),
                                 static_cast<uint8_t>((185 << 3) & 0xf8), 0, 0, 0, 1};
      f.insert(f.end(), fh.begin(), fh.end());
    }
  }
  f.insert(f.end(), l4.begin(), l4.end());
  if (f.size() < 60) f.resize(60, 0);  // Ethernet minimum without FCS
  return f;
}

}  // namespace sentinel::eval
