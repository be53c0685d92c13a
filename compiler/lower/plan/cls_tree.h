// Decision trees over classifier records (sentinel/abi/classify.h): which
// records go to which tree, and how one tree is cut (docs/classifier.md).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/dplan/classifier.h"

namespace sentinel::lower::cls {

struct TreeParams {
  unsigned leaf_size = 6;   // a node with at most this many records is a leaf
  unsigned max_bits = 8;    // at most 2^max_bits children per cut
  double space = 2.0;       // a cut may copy records into children up to space x n in all
  unsigned one_tree = 24;   // a family with at most this many records gets one tree
};

// Builds the trees of `plan.recs` (ascending rule) into plan.nodes,
// plan.leaves, plan.steps and plan.trees. plan.nodes must be empty.
void build_trees(dplan::ClassifierPlan& plan, const TreeParams& params = {});

}  // namespace sentinel::lower::cls
