// The shared classifier's plan (sentinel/abi/classify.h): tuples and key
// entries that give, for every packet, the first rule of a list that matches
// it. Built by compiler/lower/plan/classifier.cpp for any domain whose rules
// match packets; written to that domain's tuple and key maps.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

extern "C" {
#include "sentinel/abi/classify.h"
}

namespace sentinel::dplan {

struct ClassifierPlan {
  std::vector<sn_cls_tuple> tuples;  // ascending min_rule; index = tuple id
  std::vector<std::pair<sn_cls_key, sn_cls_match>> entries;  // sorted by key bytes
  bool v6 = false;  // some rule can match IPv6
  // "tuples:" and "entries:" sections; rule ids name the entries' rules.
  std::string print(const std::vector<std::string>& rule_ids) const;
};

// One-line readable forms, shared by plan dumps and `sentinelc inspect`.
// Masks print as prefix lengths; port masks that are not a prefix print as
// value/mask.
std::string format_tuple(const sn_cls_tuple& t);
std::string format_entry(const sn_cls_key& k, const sn_cls_match& m, const sn_cls_tuple* tuple = nullptr);

// Stable FNV-1a 64 of "<domain>/<id>": the key of a rule's counters.
uint64_t counter_key(std::string_view domain, std::string_view rule_id);

}  // namespace sentinel::dplan
