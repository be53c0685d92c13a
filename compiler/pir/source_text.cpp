#include "compiler/pir/pir.h"

namespace sentinel::pir {

namespace {
template <typename T>
std::string braced(const std::vector<T>& items) {
  if (items.size() == 1) return format(items[0]);
  std::string s = "{";
  for (size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + format(items[i]);
  return s + "}";
}
}  // namespace

std::string source_text(const AddrMatch& m) {
  if (m.any && m.set.empty() && m.cidrs.empty()) return "any";
  std::string s = m.negate ? "!" : "";
  if (!m.set.empty()) return s + "@" + m.set;
  return s + braced(m.cidrs);
}

std::string source_text(const PortMatch& m) {
  if (m.any && m.set.empty() && m.ranges.empty()) return "any";
  if (!m.set.empty()) return "@" + m.set;
  return braced(m.ranges);
}

std::string source_text(const Match& m) {
  std::string s;
  auto add = [&](const std::string& part) { s += (s.empty() ? "" : " ") + part; };
  if (m.proto != Proto::Any) add(to_string(m.proto));
  bool src = !m.src.any || !m.sport.any, dst = !m.dst.any || !m.dport.any;
  if (src) {
    add("from " + source_text(m.src));
    if (!m.sport.any) add("port " + source_text(m.sport));
  }
  if (dst) {
    add("to " + source_text(m.dst));
    if (!m.dport.any) add("port " + source_text(m.dport));
  }
  return s;
}

}  // namespace sentinel::pir
