#include <catch2/catch.hpp>

#include <random>

#include "compiler/passes/intervals.h"

using namespace sentinel::passes;

namespace {
IntervalSet of(std::vector<std::pair<unsigned, unsigned>> list) {
  IntervalSet s;
  for (auto [lo, hi] : list) s.add(lo, hi);
  s.normalize();
  return s;
}
std::vector<std::pair<unsigned, unsigned>> dump(const IntervalSet& s) {
  std::vector<std::pair<unsigned, unsigned>> out;
  for (const auto& r : s.ranges()) out.emplace_back(unsigned(r.lo), unsigned(r.hi));
  return out;
}
using V = std::vector<std::pair<unsigned, unsigned>>;
}  // namespace

TEST_CASE("normalize merges overlapping and adjacent ranges", "[intervals]") {
  CHECK(dump(of({{5, 9}, {1, 3}, {4, 4}, {20, 30}, {25, 26}})) == V{{1, 9}, {20, 30}});
  CHECK(dump(of({{0, 0}, {2, 2}})) == V{{0, 0}, {2, 2}});
  CHECK(of({}).empty());
}

TEST_CASE("complement within the width", "[intervals]") {
  CHECK(dump(of({{2, 3}, {8, 15}}).complement(4)) == V{{0, 1}, {4, 7}});
  CHECK(dump(of({}).complement(4)) == V{{0, 15}});
  CHECK(of({{0, 15}}).complement(4).empty());
  // The full 128-bit space: no overflow at the top.
  IntervalSet all = IntervalSet::full(128);
  CHECK(all.complement(128).empty());
  IntervalSet top;
  top.add(max_value(128), max_value(128));
  auto rest = top.complement(128);
  REQUIRE(rest.ranges().size() == 1);
  CHECK(rest.ranges()[0].hi == max_value(128) - 1);
}

TEST_CASE("subset and contains", "[intervals]") {
  auto big = of({{0, 10}, {20, 30}});
  CHECK(of({{1, 2}, {25, 30}}).subset_of(big));
  CHECK_FALSE(of({{5, 21}}).subset_of(big));
  CHECK_FALSE(of({{31, 31}}).subset_of(big));
  CHECK(of({}).subset_of(big));
  CHECK_FALSE(big.subset_of(of({})));
  CHECK(big.contains(20));
  CHECK_FALSE(big.contains(15));
  CHECK_FALSE(big.contains(31));
}

TEST_CASE("decompose yields the maximal aligned blocks", "[intervals]") {
  // Brute force on a 6-bit space: a block is in the answer iff it lies in
  // the set and its parent does not.
  std::mt19937 rng(7);
  const unsigned bits = 6, size = 1u << bits;
  for (int iter = 0; iter < 2000; ++iter) {
    std::vector<bool> in(size);
    IntervalSet s;
    for (int k = rng() % 4; k > 0; --k) {
      unsigned a = rng() % size, b = rng() % size;
      if (a > b) std::swap(a, b);
      s.add(a, b);
      for (unsigned v = a; v <= b; ++v) in[v] = true;
    }
    s.normalize();
    auto inside = [&](unsigned value, unsigned len) {
      unsigned n = 1u << (bits - len);
      for (unsigned v = value; v < value + n; ++v)
        if (!in[v]) return false;
      return true;
    };
    std::vector<std::pair<unsigned, unsigned>> expected;
    for (unsigned len = 0; len <= bits; ++len)
      for (unsigned value = 0; value < size; value += 1u << (bits - len))
        if (inside(value, len) && (len == 0 || !inside(value & ~((2u << (bits - len)) - 1), len - 1)))
          expected.emplace_back(value, len);
    std::vector<Block> blocks;
    REQUIRE(decompose(s.ranges(), bits, 1000, blocks));
    std::vector<std::pair<unsigned, unsigned>> got;
    for (auto b : blocks) got.emplace_back(unsigned(b.value), b.len);
    std::sort(got.begin(), got.end());
    std::sort(expected.begin(), expected.end());
    REQUIRE(got == expected);
  }
}

TEST_CASE("decompose at the edges of wide spaces and the cap", "[intervals]") {
  std::vector<Block> blocks;
  REQUIRE(decompose(IntervalSet::full(128).ranges(), 128, 4, blocks));
  REQUIRE(blocks.size() == 1);
  CHECK(blocks[0].len == 0);
  // Everything but one address: one block per bit.
  IntervalSet one;
  one.add(0x0a000001, 0x0a000001);
  one.normalize();
  blocks.clear();
  REQUIRE(decompose(one.complement(32).ranges(), 32, 100, blocks));
  CHECK(blocks.size() == 32);
  blocks.clear();
  CHECK_FALSE(decompose(one.complement(32).ranges(), 32, 31, blocks));
}
