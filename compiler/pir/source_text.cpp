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

}  // namespace sentinel::pir
