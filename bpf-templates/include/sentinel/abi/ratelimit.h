/* SPDX-License-Identifier: Apache-2.0 */
/* Rate limiting: first-match rules (classify.h); the matching rule's bucket,
 * chosen by its key (per source address, per source prefix, per destination
 * port, or one for the rule), admits or refuses the packet. Tail-called from
 * the firewall in the XDP chain.
 *
 * Buckets are host-scoped state shared by every CPU and every generation:
 * one 64-bit word per bucket, updated with compare-and-swap, so a source is
 * held to its limit whatever CPUs its flows land on. A rule's buckets are
 * keyed by its bucket_id (stable across generations while the rule keeps its
 * id, algorithm and key), so they survive swaps.
 *
 * Algorithms (times from bpf_ktime_get_ns, or the test clock of meta.h):
 *   token bucket, leaky bucket: GCRA (virtual scheduling). The word is the
 *     theoretical arrival time TAT in 1/64 ns (SN_RL_TICK_SHIFT). With
 *     now64 = now << 6: tat = max(TAT, now64); if tat - now64 > tolerance the
 *     packet is over the limit (the word is unchanged), else TAT = tat +
 *     interval. interval = 64 * unit_ns / count, tolerance = (burst - 1) *
 *     interval: at most `burst` packets at once, `count` per unit after that.
 *     The two differ in their default burst only (the rate's count, and 1).
 *   fixed window: the word is (window index << 24) | count, window index =
 *     now / interval (ns). A packet is within the limit while count <
 *     tolerance (the limit per window); a new window starts at 0.
 *   sliding window: the word is ((window index mod 2^28) << 36) |
 *     (previous count << 18) | current count. elapsed = now - index *
 *     interval; weight = ((interval - elapsed) << 10) / interval; estimate =
 *     ((previous * weight) >> 10) + current; within the limit while estimate
 *     < tolerance, and then current += 1. A window more than one behind
 *     counts as 0.
 * A CAS that loses SN_RL_CAS_TRIES times in a row (other CPUs updated the
 * same bucket each time) treats the packet as over the limit and counts it
 * under contended_counter_key. */
#ifndef SENTINEL_ABI_RATELIMIT_H
#define SENTINEL_ABI_RATELIMIT_H

#include "classify.h"

enum sn_rl_algorithm {
	SN_RL_TOKEN_BUCKET = 1,
	SN_RL_LEAKY_BUCKET = 2,
	SN_RL_FIXED_WINDOW = 3,
	SN_RL_SLIDING_WINDOW = 4,
};

enum sn_rl_key_kind {
	SN_RL_PER_SOURCE = 1, /* the full source address */
	SN_RL_PER_CIDR = 2,   /* the source address masked to v4_len / v6_len */
	SN_RL_PER_PORT = 3,   /* the destination port (0 for packets without ports) */
	SN_RL_GLOBAL = 4,     /* one bucket for the rule */
};

enum sn_rl_action {
	SN_RL_DROP = 1, /* drop packets over the limit */
	SN_RL_LOG = 2,  /* pass them and emit an event */
};

enum sn_rl_mode {
	SN_RL_ENFORCE = 0,
	SN_RL_AUDIT = 1, /* drop acts as log */
};

#define SN_RL_TICK_SHIFT 6
#define SN_RL_CAS_TRIES 8
#define SN_RL_FIXED_MAX_LIMIT ((1u << 24) - 1)
#define SN_RL_SLIDING_MAX_LIMIT ((1u << 18) - 1)
#define SN_RL_SLIDING_INDEX_BITS 28

struct sn_rl_rule {
	__u64 counter_key;      /* packets over the limit */
	__u64 pass_counter_key; /* packets within the limit */
	__u64 bucket_id;
	__u64 interval;  /* GCRA: 1/64 ns per packet; windows: window length in ns */
	__u64 tolerance; /* GCRA: in 1/64 ns; windows: packets per window */
	__u8 algorithm;  /* enum sn_rl_algorithm */
	__u8 key;        /* enum sn_rl_key_kind */
	__u8 action;     /* enum sn_rl_action */
	__u8 v4_len;     /* SN_RL_PER_CIDR */
	__u8 v6_len;
	__u8 pad[3];
};

struct sn_rl_config {
	__u32 cls_steps; /* the classifier walk's bound (classify.h) */
	__u32 nrules;
	__u32 mode;      /* enum sn_rl_mode */
	__u32 next_slot; /* chain slot after this program, or SN_NO_SLOT */
	__u64 contended_counter_key;
};

struct sn_rl_bucket_key {
	__u64 bucket_id;
	__u8 family; /* 4 or 6; 0 for SN_RL_PER_PORT and SN_RL_GLOBAL */
	__u8 pad;
	__u16 port;  /* SN_RL_PER_PORT */
	__u32 pad2;
	__u32 addr[4]; /* SN_RL_PER_SOURCE, SN_RL_PER_CIDR; network order */
};

struct sn_rl_bucket {
	__u64 state;
};

enum sn_rl_event_kind {
	SN_RL_EVENT_OVER = 0, /* a packet over its rule's limit */
};

struct sn_rl_event {
	struct sn_event_hdr hdr;
	struct sn_pkt_summary pkt;
};

SN_ASSERT_SIZE(struct sn_rl_rule, 48);
SN_ASSERT_SIZE(struct sn_rl_config, 24);
SN_ASSERT_SIZE(struct sn_rl_bucket_key, 32);
SN_ASSERT_SIZE(struct sn_rl_bucket, 8);
SN_ASSERT_SIZE(struct sn_rl_event, 72);

#define SN_RL_MAX_BUCKETS 65536
#define SN_RL_PROG "sn_xdp_ratelimit"
#define SN_RL_MAP_NODES "sn_rl_nodes"     /* generation ARRAY of sn_cls_node */
#define SN_RL_MAP_LEAVES "sn_rl_leaves"   /* generation ARRAY of __u32 record indexes */
#define SN_RL_MAP_RECS "sn_rl_recs"       /* generation ARRAY of sn_cls_rec */
#define SN_RL_MAP_RULES "sn_rl_rules"     /* generation ARRAY[nrules] of sn_rl_rule */
#define SN_RL_MAP_BUCKETS "sn_rl_buckets" /* host LRU_HASH[SN_RL_MAX_BUCKETS] */
#define SN_RL_MAP_EVENTS "sn_rl_events"   /* host RINGBUF */
#define SN_RL_MAP_RINGSTAT "sn_rl_rstat"  /* host PERCPU_ARRAY[1] */

#endif
