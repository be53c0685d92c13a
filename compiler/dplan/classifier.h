// The shared classifier's plan (sentinel/abi/classify.h): decision trees
// whose leaves list records, giving for every packet the first rule of a
// list that matches it. Built by compiler/lower/plan/classifier.cpp for any
// domain whose rules match packets; written to that domain's nodes, leaves
// and records maps.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

extern "C" {
#include "sentinel/abi/classify.h"
}

namespace sentinel::dplan {

struct ClassifierPlan {
  std::vector<sn_cls_node> nodes;  // roots first: 2 * SN_CLS_MAX_TREES of them
  std::vector<uint32_t> leaves;    // record indexes, leaf by leaf
  std::vector<sn_cls_rec> recs;    // ascending rule
  uint32_t steps = 0;              // walk steps any packet can take, at most
  bool v6 = false;                 // some rule can match IPv6
  std::vector<std::string> ifaces; // interfaces rules name, sorted: slot i is bit i of sn_cls_extra.ifaces
  // What the compiler chose, for plan dumps, `build` and the bench.
  struct Tree {
    uint8_t family;
    std::string group;  // which records: "src-narrow", "dst-narrow", "wide", "all"
    uint32_t records, nodes, leaves, depth, max_leaf, min_rule;
  };
  std::vector<Tree> trees;
  // Bytes of the three maps' values.
  uint64_t bytes() const;
  // "trees:", "nodes:" and "records:" sections; rule ids name the records' rules.
  std::string print(const std::vector<std::string>& rule_ids) const;
};

// A record's address words (host order; IPv4 in word 0) as one value of the
// family's width, and back.
unsigned __int128 rec_addr_value(const uint32_t words[4], uint8_t family);
void rec_addr_words(unsigned __int128 v, uint8_t family, uint32_t out[4]);

// One-line readable forms, shared by plan dumps and `sentinelc inspect`.
std::string format_node(const sn_cls_node& n);
std::string format_rec(const sn_cls_rec& r);

// Stable FNV-1a 64 of "<domain>/<id>": the key of a rule's counters.
uint64_t counter_key(std::string_view domain, std::string_view rule_id);

}  // namespace sentinel::dplan
