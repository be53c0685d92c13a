// Connection tracking in the PIR: how long flows live, and whether packets of
// established flows pass before the firewall's rules. The packet states are
// also what firewall rules match (`ct`).
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include "compiler/pir/pir.h"

namespace sentinel::pir {

// The state of one packet; values are those of enum sn_ct_pkt_state.
enum class CtState : uint8_t { Untracked = 0, New = 1, Established = 2, Related = 3, Invalid = 4 };
inline constexpr uint8_t ct_bit(CtState s) { return static_cast<uint8_t>(1u << static_cast<unsigned>(s)); }
const char* to_string(CtState s);
// "{new,established}" or "new"; "any" for 0.
std::string ct_text(uint8_t mask);

// The timeouts of enum sn_ct_timeout, in its order.
enum class CtTimeout : uint8_t {
  TcpSyn, TcpEstablished, TcpClosing, TcpClose, Udp, UdpStream, Icmp, Other, Count
};
inline constexpr size_t kCtTimeouts = static_cast<size_t>(CtTimeout::Count);
// "tcp-syn", ...: the names the language and the PIR use.
const char* timeout_name(CtTimeout t);
std::optional<CtTimeout> timeout_by_name(std::string_view name);
// What a policy gets without a `timeout` setting.
uint64_t default_timeout_ns(CtTimeout t);

struct Conntrack : BlockOf<Conntrack> {
  static constexpr DomainId kDomain = DomainId::conntrack;
  bool accept_established = true;  // `established allow` (default) or `established rules`
  std::array<uint64_t, kCtTimeouts> timeouts_ns{};
  Conntrack();
  bool operator==(const Conntrack&) const = default;
  uint64_t timeout(CtTimeout t) const { return timeouts_ns[static_cast<size_t>(t)]; }

  void print(std::string& out) const override;
  void parse_header(TextLine& in) override;
  void parse_item(std::string_view keyword, TextLine& in) override;
};

}  // namespace sentinel::pir
