#include "tests/diff/random_policy.h"

#include <algorithm>
#include <sstream>
#include <vector>

namespace sentinel::testing {

namespace {

const char* kV4[] = {"10.0.0.0/8",     "10.1.0.0/16",  "10.1.2.0/24", "10.1.2.3",      "10.128.0.0/9",
                     "192.168.0.0/16", "0.0.0.0/1",    "128.0.0.0/2", "172.16.0.0/12", "10.1.2.128/25",
                     "0.0.0.0/0",      "192.0.2.0/24", "192.0.2.1"};
const char* kV6[] = {"2001:db8::/32", "2001:db8:1::/48", "2001:db8:1::1", "fd00::/8", "::/1",
                     "8000::/2",      "fe80::/10",       "2001:db8:8000::/33", "::/0", "2001:db8:1:2::/64"};
const uint16_t kPorts[] = {0, 1, 22, 23, 53, 80, 443, 1023, 1024, 8080, 32768, 65534, 65535};

template <typename T, size_t N>
const T& pick(std::mt19937_64& rng, const T (&a)[N]) {
  return a[rng() % N];
}

enum Fam { V4 = 1, V6 = 2, Both = 3 };

struct Sets {
  std::vector<std::string> decls;
  std::vector<std::pair<std::string, unsigned>> cidr;  // name, families it holds
  std::vector<std::string> port;
};

std::string prefix(std::mt19937_64& rng, Fam f) {
  bool v6 = f == V6 || (f == Both && rng() % 2);
  return v6 ? pick(rng, kV6) : pick(rng, kV4);
}

// An address constraint that keeps the rule in family `f`: `any`, a prefix,
// a list, a set, any of them negated.
std::string addr(std::mt19937_64& rng, Fam f, const Sets& sets) {
  if (rng() % 5 < 2) return "any";
  std::string neg = rng() % 8 == 0 ? "!" : "";
  std::vector<std::string> elems;
  if (!sets.cidr.empty() && rng() % 4 == 0) {
    const auto& [name, fams] = sets.cidr[rng() % sets.cidr.size()];
    if (fams == static_cast<unsigned>(f)) return neg + "@" + name;
  }
  if (f == Both) {
    // Both families must stay: one prefix of each, then any.
    elems = {pick(rng, kV4), pick(rng, kV6)};
  }
  size_t n = 1 + rng() % 2;
  while (elems.size() < n) elems.push_back(prefix(rng, f));
  std::sort(elems.begin(), elems.end());
  elems.erase(std::unique(elems.begin(), elems.end()), elems.end());
  std::shuffle(elems.begin(), elems.end(), rng);
  if (elems.size() == 1) return neg + elems[0];
  std::string s = neg + "{ ";
  for (size_t i = 0; i < elems.size(); ++i) s += (i ? ", " : "") + elems[i];
  return s + " }";
}

std::string ports(std::mt19937_64& rng, const Sets& sets) {
  if (!sets.port.empty() && rng() % 4 == 0) return "@" + sets.port[rng() % sets.port.size()];
  // Ranges expand into prefixes per field, and fields multiply into match
  // shapes: few elements, so that most policies stay within the compiler's
  // limit of shapes.
  size_t n = 1 + (rng() % 4 == 0);
  std::vector<std::string> elems;
  for (size_t i = 0; i < n; ++i) {
    uint16_t a = pick(rng, kPorts), b = pick(rng, kPorts);
    if (rng() % 2 == 0) b = a;
    if (a > b) std::swap(a, b);
    elems.push_back(a == b ? std::to_string(a) : std::to_string(a) + ".." + std::to_string(b));
  }
  if (elems.size() == 1) return elems[0];
  std::string s = "{ ";
  for (size_t i = 0; i < elems.size(); ++i) s += (i ? ", " : "") + elems[i];
  return s + " }";
}

// `[PROTO] [from ADDR [port PORTS]] [to ADDR [port PORTS]]`; sets the rule's
// family and protocol.
std::string match(std::mt19937_64& rng, const Sets& sets, bool options, Fam& f, std::string& proto) {
  static const Fam kFams[] = {V4, V4, V6, Both, Both};
  f = pick(rng, kFams);
  static const char* kProtos[] = {"any", "tcp", "tcp", "udp", "icmp", "icmpv6", "proto gre", "proto 50",
                                  "proto ah", "proto sctp", "proto icmp-any"};
  do {
    proto = pick(rng, kProtos);
  } while (!options && proto == "proto icmp-any");
  // AH is an IPv6 extension header: a rule for it matches IPv4 only.
  if (proto == "icmp" || proto == "proto ah") f = V4;
  if (proto == "icmpv6") f = V6;
  bool ports_ok = proto == "tcp" || proto == "udp";
  std::string s = proto == "any" && rng() % 2 ? "" : proto;
  // A family constraint, for rules that may name no address.
  std::string family;
  if (rng() % 6 == 0 && f != Both && proto != "icmp" && proto != "icmpv6" && proto != "proto ah")
    family = f == V4 ? "ipv4" : "ipv6";
  bool narrowed = proto == "icmp" || proto == "icmpv6" || proto == "proto ah";
  auto side = [&](const char* kw) {
    std::string a = addr(rng, f, sets);
    if (a != "any") narrowed = true;
    bool with_port = ports_ok && rng() % (kw[0] == 'f' ? 4 : 2) == 0;
    if (a == "any" && !with_port && rng() % 2) return;
    s += std::string(s.empty() ? "" : " ") + kw + " " + a;
    if (with_port) s += " port " + ports(rng, sets);
  };
  side("from");
  side("to");
  // Nothing said which family: the rule matches both.
  if (!narrowed && family.empty()) f = Both;
  if (!family.empty()) s = family + (s.empty() ? "" : " ") + s;
  if (options) {
    auto add = [&](const std::string& o) { s += (s.empty() ? "" : " ") + o; };
    if (proto == "tcp" && rng() % 4 == 0) {
      static const char* kFlags[] = {"S", "S/SA", "A", "R", "F/FA", "SA/SA", "P/SAFR", "-"};
      std::string fl = pick(rng, kFlags);
      if (fl != "-") add("flags " + fl);
    }
    if ((proto == "icmp" || proto == "icmpv6" || proto == "proto icmp-any") && rng() % 2 == 0) {
      static const char* kTypes[] = {"echo-request", "echo-reply", "destination-unreachable", "time-exceeded"};
      static const int k4[] = {0, 8, 13, 9}, k6[] = {128, 129, 135, 134};
      bool any = proto == "proto icmp-any";
      std::string t = any || rng() % 2 ? std::string(pick(rng, kTypes))
                                       : std::to_string(proto == "icmp" ? pick(rng, k4) : pick(rng, k6));
      add("type " + t);
      if (rng() % 3 == 0) add("code " + std::string(!any && rng() % 2 ? "0" : "port-unreachable"));
    }
    if (rng() % 6 == 0) {
      static const char* kDscp[] = {"0", "ef", "af11", "cs1", "10", "63"};
      add(std::string("dscp ") + pick(rng, kDscp));
    }
    if (rng() % 6 == 0) {
      static const char* kVlan[] = {"1", "100", "4095", "100:200", "0:0", "7:100"};
      add(std::string("vlan ") + pick(rng, kVlan));
    }
  }
  return s;
}

}  // namespace

std::string random_policy_text(std::mt19937_64& rng, const RandomPolicyOptions& o) {
  std::ostringstream out;
  Sets sets;
  for (int i = 0, n = static_cast<int>(rng() % 3); i < n; ++i) {
    Fam f = static_cast<Fam>(1 + rng() % 3);
    std::vector<std::string> e;
    if (f & V4) e.push_back(pick(rng, kV4));
    if (f & V6) e.push_back(pick(rng, kV6));
    if (rng() % 2) e.push_back(prefix(rng, f));
    std::sort(e.begin(), e.end());
    e.erase(std::unique(e.begin(), e.end()), e.end());
    std::string name = "net" + std::to_string(i);
    std::string d = "set " + name + ": cidr = { ";
    for (size_t k = 0; k < e.size(); ++k) d += (k ? ", " : "") + e[k];
    sets.decls.push_back(d + " }");
    sets.cidr.emplace_back(name, f);
  }
  if (rng() % 2) {
    sets.decls.push_back("set svc: port = { 22, 80, 443, 8000..8099 }");
    sets.port.push_back("svc");
  }
  for (const auto& d : sets.decls) out << d << '\n';

  if (o.conntrack) {
    out << "conntrack {\n";
    if (rng() % 2) out << "    established " << (rng() % 2 ? "allow" : "rules") << '\n';
    static const char* kTimeouts[] = {"tcp-syn", "tcp-established", "tcp-closing", "tcp-close",
                                      "udp",     "udp-stream",      "icmp",        "other"};
    static const char* kDurations[] = {"1s", "2s", "5s", "10s", "30s", "1m", "2m", "10m", "1h", "1500ms"};
    for (const char* t : kTimeouts)
      if (rng() % 3 == 0) out << "    timeout " << t << ' ' << pick(rng, kDurations) << '\n';
    out << "}\n";
  }

  if (o.firewall) {
    out << "firewall {\n";
    out << "    default " << (rng() % 2 ? "allow" : "deny") << '\n';
    if (rng() % 5 == 0) out << "    mode audit\n";
    static const char* kActions[] = {"allow", "deny", "log", "reject"};
    static const char* kStates[] = {"new", "established", "related", "invalid"};
    size_t n = 1 + rng() % o.max_firewall_rules;
    for (size_t i = 0; i < n; ++i) {
      Fam f;
      std::string proto;
      std::string m = match(rng, sets, o.match_options, f, proto);
      out << "    rule r" << i << ' ' << pick(rng, kActions) << (m.empty() ? "" : " ") << m;
      if (o.match_options && rng() % 6 == 0) {
        // The fixture creates the interfaces rules name (veth pairs).
        static const char* kIfaces[] = {"lo", "!lo", "snx0", "{ lo, snx0 }", "!{ lo, snx1 }", "\"snx.1\""};
        out << " on " << pick(rng, kIfaces);
      }
      if (o.conntrack && rng() % 3 == 0) {
        if (rng() % 2) {
          out << " ct " << pick(rng, kStates);
        } else {
          std::vector<std::string> st;
          for (const char* s : kStates)
            if (rng() % 2) st.push_back(s);
          if (st.empty()) st.push_back("new");
          out << " ct {";
          for (size_t k = 0; k < st.size(); ++k) out << (k ? ", " : " ") << st[k];
          out << " }";
        }
      }
      out << '\n';
    }
    out << "}\n";
  }

  if (o.ratelimit) {
    out << "ratelimit {\n";
    if (rng() % 5 == 0) out << "    mode audit\n";
    static const char* kAlgorithms[] = {"token-bucket", "leaky-bucket", "fixed-window", "sliding-window"};
    static const uint64_t kCounts[] = {1, 2, 3, 5, 10, 20, 50};
    size_t n = 1 + rng() % o.max_rate_rules;
    for (size_t i = 0; i < n; ++i) {
      Fam f;
      std::string proto;
      std::string m = match(rng, sets, o.match_options, f, proto);
      out << "    rule q" << i << ' ' << (rng() % 3 ? "drop" : "log") << (m.empty() ? "" : " ") << m;
      uint64_t count = pick(rng, kCounts);
      bool minutes = rng() % 5 == 0;
      out << " rate " << (minutes ? count * 60 : count) << (minutes ? "/m" : "/s");
      std::string alg = rng() % 4 ? pick(rng, kAlgorithms) : "";
      if (!alg.empty()) out << " algorithm " << alg;
      bool window = alg == "fixed-window" || alg == "sliding-window";
      if (window && rng() % 2) {
        static const char* kWindows[] = {"1s", "2s", "3s", "10s", "1m"};
        out << " window " << pick(rng, kWindows);
      }
      if (!window && rng() % 2) out << " burst " << 1 + rng() % 20;
      switch (rng() % 5) {
        case 0: break;
        case 1: out << " per source"; break;
        case 2:
          if (f == V4) out << " per source /" << 8 + rng() % 25;
          else if (f == V6) out << " per source /" << 16 + rng() % 113;
          else out << " per source /" << 8 + rng() % 25 << " /" << 16 + rng() % 113;
          break;
        case 3:
          // Only TCP and UDP carry ports: `per port` does not apply to the others.
          if (proto == "any" || proto == "tcp" || proto == "udp") out << " per port";
          break;
        default: out << " global";
      }
      out << '\n';
    }
    out << "}\n";
  }
  return out.str();
}

}  // namespace sentinel::testing
