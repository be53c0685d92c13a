#include <catch2/catch.hpp>

#include "compiler/sema/checks.h"
#include "front.h"
#include "tests/support/test_policy.h"

using namespace sentinel;
using sentinel::test::front;
using Codes = std::vector<std::string>;

TEST_CASE("close names for unknown sets", "[sema]") {
  CHECK(sema::close_names("trustd", {"trusted", "web", "blocklist"}) == Codes{"trusted"});
  CHECK(sema::close_names("ofice", {"offices", "office", "zzz"}) == Codes{"office"});
  CHECK(sema::close_names("blocklist", {"blocklists", "blocklist2", "blocklis"}) ==
        Codes{"blocklis", "blocklist2", "blocklists"});
  CHECK(sema::close_names("xyz", {"trusted", "web"}).empty());
  // Transposition counts as one edit.
  CHECK(sema::close_names("wbe", {"web"}) == Codes{"web"});
}

TEST_CASE("unknown set suggests only sets of the right kind", "[sema]") {
  auto f = front("set webs: port = { 80 }\nset web4: cidr = { 10.0.0.0/8 }\n"
                 "firewall { rule a allow tcp from @web4 to any port @web }");
  // `webs` is unused too: the reference that meant it does not resolve.
  REQUIRE(f->codes() == Codes{"W0202", "E0101"});
  const auto& d = f->diags.all()[1];
  REQUIRE(d.notes.size() == 1);
  CHECK(d.notes[0].message == "did you mean `webs`");
}

TEST_CASE("family checks follow pir::Match::families", "[sema]") {
  CHECK(front("firewall { rule a deny from 10.0.0.0/8 to 2001:db8::/32 }")->codes() == Codes{"E0106"});
  CHECK(front("firewall { rule a deny icmpv6 from 10.0.0.1 }")->codes() == Codes{"E0106"});
  CHECK(front("firewall { rule a deny icmp to ::1 }")->codes() == Codes{"E0106"});
  // Mixed lists keep the other family alive; negation keeps the list's families.
  CHECK(front("firewall { rule a deny from { 10.0.0.0/8, ::1 } to ::2 }")->codes().empty());
  CHECK(front("firewall { rule a deny from !10.0.0.0/8 to ::2 }")->codes() == Codes{"E0106"});
  // An empty set is a rule that never matches, not a family mismatch.
  auto f = front("set e: cidr = {}\nfirewall { rule a deny from @e to ::2 }");
  CHECK(f->codes().empty());
}

TEST_CASE("one error per problem, none cascading", "[sema]") {
  // The invalid literal is reported once, and no family error follows from it.
  CHECK(front("firewall { rule a deny from 10.0.0.0/99 to ::1 }")->codes() == Codes{"E0102"});
  // An unknown set gives no family error either.
  CHECK(front("firewall { rule a deny icmp from @nope }")->codes() == Codes{"E0101"});
  // A wrongly typed set counts as used.
  CHECK(front("set p: port = { 1 }\nfirewall { rule a deny from @p }")->codes() == Codes{"E0108"});
}

TEST_CASE("sets are shared across files in any order", "[sema]") {
  auto f = front({{"a.sen", "firewall { rule a deny from @late }"},
                  {"b.sen", "set late: cidr = { 10.0.0.0/8 }"}});
  CHECK(f->codes().empty());
  REQUIRE(f->policy);
  CHECK(testing::fw(*f->policy).rules[0].match.src.set == "late");
  auto g = front({{"a.sen", "firewall { }"}, {"b.sen", "firewall { }"}});
  CHECK(g->codes() == Codes{"E0112"});
}
