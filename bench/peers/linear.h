/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* The rule layout shared by the linear peer and the bench that fills it. */
#ifndef BENCH_PEERS_LINEAR_H
#define BENCH_PEERS_LINEAR_H

#include <linux/types.h>

#define BENCH_LINEAR_MAX_RULES (1u << 20)

enum { BENCH_LINEAR_ALLOW = 0, BENCH_LINEAR_DENY = 1 };

struct bench_linear_rule {
	__u8 family;      /* 4 or 6 */
	__u8 proto;       /* 0: any */
	__u8 needs_ports; /* some port constraint: only TCP/UDP with an L4 header */
	__u8 action;
	__u16 sport_lo, sport_hi;
	__u16 dport_lo, dport_hi;
	__u32 pad;
	__u32 src[4], src_mask[4]; /* network order */
	__u32 dst[4], dst_mask[4];
};

/* Set in .rodata before load. */
struct bench_linear_config {
	__u32 nrules;
	__u32 default_action;
};

#endif
