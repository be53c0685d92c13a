// Allocator settings for the command-line tools. They build and read
// policies of 100,000 rules in vectors and strings of tens of megabytes that
// grow, are copied and are freed within one run of a second or less. glibc
// serves each of those from fresh mmap()ed pages and unmaps them on free, so
// a run pays a page fault and a zeroed page for every 4 KiB it touches, again
// after every regrowth. Kept in the heap instead, freed memory is reused
// (apply of acl1_100k: 54,000 page faults -> 37,500). The runs are short, or
// allocate little once they wait (`alerts --follow`): holding on to the peak
// until exit costs nothing.
#pragma once
#include <malloc.h>

namespace sentinel {

inline void tune_allocator_for_short_runs() {
  mallopt(M_MMAP_THRESHOLD, 1 << 30);  // big blocks from the heap, not mmap
  mallopt(M_TRIM_THRESHOLD, 1 << 30);  // and kept there when freed
  mallopt(M_TOP_PAD, 64 << 20);        // grow the heap in large steps
}

}  // namespace sentinel
