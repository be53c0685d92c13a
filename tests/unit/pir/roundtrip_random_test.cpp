#include <catch2/catch.hpp>

#include "compiler/pir/pir.h"
#include "tests/unit/pir/policy_gen.h"

using namespace sentinel;

TEST_CASE("random policies round-trip through the text", "[print][parse][random]") {
  testgen::PolicyGen gen(0x5e171e1, true, true, true);
  for (int i = 0; i < 3000; ++i) {
    pir::Policy p = gen.policy(12);
    std::string text = pir::print(p);
    std::string err;
    auto back = pir::parse(text, &err);
    INFO("iteration " << i << "\n" << text);
    REQUIRE(err.empty());
    REQUIRE(back);
    REQUIRE(*back == p);
  }
}

TEST_CASE("damaged text is rejected or parses to a policy that prints the same", "[parse][random]") {
  // Truncating a dump anywhere must never crash, and what parses is stable.
  testgen::PolicyGen gen(42, true, true, true);
  for (int i = 0; i < 300; ++i) {
    std::string text = pir::print(gen.policy(4));
    size_t cut = gen.below(text.size() + 1);
    std::string err;
    auto p = pir::parse(std::string_view(text).substr(0, cut), &err);
    if (!p) {
      CHECK(err.rfind("line ", 0) == 0);
      continue;
    }
    auto again = pir::parse(pir::print(*p), &err);
    REQUIRE(again);
    CHECK(*again == *p);
  }
}
