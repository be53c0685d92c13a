#include <catch2/catch.hpp>

#include "compiler/eval/packet.h"

using namespace sentinel;

TEST_CASE("packet text round-trips", "[packet]") {
  for (const char* s : {"tcp 10.0.0.1:1234 -> 10.0.0.2:22", "udp [2001:db8::1]:53 -> [2001:db8::2]:5353",
                        "icmp 10.0.0.1 -> 10.0.0.2", "icmpv6 2001:db8::1 -> ff02::1",
                        "proto 47 10.0.0.1 -> 10.0.0.2", "tcp 10.0.0.1:1 -> 10.0.0.2:2 frag vlan 10 vlan 20"}) {
    std::string err;
    auto p = eval::parse_packet(s, &err);
    INFO(s << ": " << err);
    REQUIRE(p);
    CHECK(eval::format(*p) == s);
  }
}

TEST_CASE("bad packet text is rejected with a reason", "[packet]") {
  std::string err;
  CHECK_FALSE(eval::parse_packet("tcp 10.0.0.1 -> 10.0.0.2:22", &err));
  CHECK(err.find("missing port") != std::string::npos);
  CHECK_FALSE(eval::parse_packet("tcp 10.0.0.1:1 -> [::1]:2", &err));
  CHECK(err.find("families") != std::string::npos);
  CHECK_FALSE(eval::parse_packet("sctp 10.0.0.1 -> 10.0.0.2", &err));
  CHECK_FALSE(eval::parse_packet("tcp 10.0.0.1:70000 -> 10.0.0.2:1", &err));
  CHECK_FALSE(eval::parse_packet("icmp ::1 -> ::2", &err));
}

TEST_CASE("frames carry the headers the packet describes", "[packet]") {
  auto p = eval::parse_packet("udp 10.1.2.3:53 -> 10.4.5.6:5353 vlan 7", nullptr);
  REQUIRE(p);
  auto f = eval::build_frame(*p);
  REQUIRE(f.size() >= 60);
  CHECK(f[12] == 0x81);
  CHECK(f[13] == 0x00);
  CHECK(((f[14] << 8) | f[15]) == 7);
  CHECK(f[16] == 0x08);
  CHECK(f[17] == 0x00);
  const uint8_t* ip = f.data() + 18;
  CHECK(ip[9] == 17);
  CHECK(ip[12] == 10);
  CHECK(ip[15] == 3);
  const uint8_t* udp = ip + 20;
  CHECK(((udp[0] << 8) | udp[1]) == 53);
  CHECK(((udp[2] << 8) | udp[3]) == 5353);
  // the IPv4 header checksum verifies to zero
  uint32_t s = 0;
  for (int i = 0; i < 20; i += 2) s += (ip[i] << 8) | ip[i + 1];
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  CHECK(s == 0xffff);
}

TEST_CASE("IPv6 fragments carry a fragment header with a nonzero offset", "[packet]") {
  auto p = eval::parse_packet("tcp [2001:db8::1]:1 -> [2001:db8::2]:2 frag", nullptr);
  REQUIRE(p);
  CHECK_FALSE(p->has_ports());
  auto f = eval::build_frame(*p);
  const uint8_t* ip6 = f.data() + 14;
  CHECK(ip6[6] == 44);
  const uint8_t* fh = ip6 + 40;
  CHECK(fh[0] == 6);
  CHECK((((fh[2] << 8) | fh[3]) >> 3) != 0);
}
