/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* The rate-limiting algorithms of ratelimit.h as pure steps on a bucket
 * word: given the word and the packet's time, each says whether the packet
 * is within the limit and, if so, the word to compare-and-swap in. Over the
 * limit the word stays as it is, so a refused packet never writes. */
#ifndef SENTINEL_BPF_RL_ALGO_H
#define SENTINEL_BPF_RL_ALGO_H

#include "sentinel/abi/ratelimit.h"
#include "sentinel/bpf/compat.h"

#define SN_RL_FIXED_COUNT_BITS 24
#define SN_RL_FIXED_INDEX_MASK ((1ull << (64 - SN_RL_FIXED_COUNT_BITS)) - 1)
#define SN_RL_SLIDING_COUNT_BITS 18
#define SN_RL_SLIDING_COUNT_MASK ((1ull << SN_RL_SLIDING_COUNT_BITS) - 1)
#define SN_RL_SLIDING_INDEX_MASK ((1ull << SN_RL_SLIDING_INDEX_BITS) - 1)
#define SN_RL_WEIGHT_SHIFT 10

/* Token and leaky bucket: GCRA on the theoretical arrival time, in 1/64 ns. */
SN_INLINE int sn_rl_gcra(__u64 word, __u64 now, __u64 interval, __u64 tolerance, __u64 *next)
{
	__u64 now64 = now << SN_RL_TICK_SHIFT;
	__u64 tat = word > now64 ? word : now64;
	if (tat - now64 > tolerance)
		return 0;
	*next = tat + interval;
	return 1;
}

/* Fixed window: (window index << 24) | count; `limit` packets per window. */
SN_INLINE int sn_rl_fixed(__u64 word, __u64 now, __u64 interval, __u64 limit, __u64 *next)
{
	__u64 index = (now / interval) & SN_RL_FIXED_INDEX_MASK;
	__u64 stored = word >> SN_RL_FIXED_COUNT_BITS;
	__u64 count = word & ((1ull << SN_RL_FIXED_COUNT_BITS) - 1);
	/* A packet whose clock was read before another CPU opened a later
	 * window is charged to that window: a window never goes back, or the
	 * later one would start counting again from 0. */
	if (word && ((stored - index) & SN_RL_FIXED_INDEX_MASK) < (SN_RL_FIXED_INDEX_MASK >> 1))
		index = stored;
	if (stored != index)
		count = 0; /* a new window */
	if (count >= limit)
		return 0;
	*next = index << SN_RL_FIXED_COUNT_BITS | (count + 1);
	return 1;
}

/* Sliding window: the previous window's count, weighted by how much of it
 * still overlaps the sliding window, plus the current window's count. */
SN_INLINE int sn_rl_sliding(__u64 word, __u64 now, __u64 interval, __u64 limit, __u64 *next)
{
	__u64 index = now / interval;
	__u64 elapsed = now - index * interval;
	__u64 weight = ((interval - elapsed) << SN_RL_WEIGHT_SHIFT) / interval;
	index &= SN_RL_SLIDING_INDEX_MASK;

	__u64 stored = word >> (2 * SN_RL_SLIDING_COUNT_BITS);
	__u64 prev = (word >> SN_RL_SLIDING_COUNT_BITS) & SN_RL_SLIDING_COUNT_MASK;
	__u64 cur = word & SN_RL_SLIDING_COUNT_MASK;
	__u64 behind = (index - stored) & SN_RL_SLIDING_INDEX_MASK;
	if (word && behind > (SN_RL_SLIDING_INDEX_MASK >> 1)) {
		/* A late packet (see sn_rl_fixed): judged in the later window, at
		 * its start, where the previous window weighs the most. */
		index = stored;
		weight = 1 << SN_RL_WEIGHT_SHIFT;
		behind = 0;
	}
	if (behind == 1) {
		prev = cur;
		cur = 0;
	} else if (behind) {
		prev = 0; /* more than one window behind */
		cur = 0;
	}
	__u64 estimate = ((prev * weight) >> SN_RL_WEIGHT_SHIFT) + cur;
	if (estimate >= limit)
		return 0;
	*next = index << (2 * SN_RL_SLIDING_COUNT_BITS) | prev << SN_RL_SLIDING_COUNT_BITS | (cur + 1);
	return 1;
}

SN_INLINE int sn_rl_step(__u8 algorithm, __u64 word, __u64 now, __u64 interval, __u64 tolerance,
			 __u64 *next)
{
	if (algorithm == SN_RL_FIXED_WINDOW)
		return sn_rl_fixed(word, now, interval, tolerance, next);
	if (algorithm == SN_RL_SLIDING_WINDOW)
		return sn_rl_sliding(word, now, interval, tolerance, next);
	return sn_rl_gcra(word, now, interval, tolerance, next);
}

#endif
