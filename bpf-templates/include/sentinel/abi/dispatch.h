/* SPDX-License-Identifier: Apache-2.0 */
/* The generation switch. Each hook of each interface the enforcer manages
 * runs a fixed dispatcher program that never changes with the policy. It
 * reads the selector (one host-scoped array entry) and tail-calls the
 * programs of the selected bank: SN_BANKS slots per hook in host-scoped prog
 * arrays. A generation is loaded into a bank no kept generation uses, then
 * made live by one write of the selector: every hook on every interface
 * switches at that one write, and a kill before it leaves the old one live.
 *
 *   XDP:  sn_disp_xdp[bank]                  the generation's XDP entry
 *   TC:   sn_disp_tc[bank * 2 + SN_TC_INGRESS] and [bank * 2 + SN_TC_EGRESS]
 *
 * An empty slot (the generation has no program at that hook) passes the
 * packet: XDP_PASS, TCX_NEXT. The XDP dispatcher stamps the bank into the
 * packet's metadata (meta.h); the TC ingress dispatcher prefers that stamp. */
#ifndef SENTINEL_ABI_DISPATCH_H
#define SENTINEL_ABI_DISPATCH_H

#include "common.h"

#define SN_BANKS 4
#define SN_BANK_NONE 0xffffu /* selector before the first switch, and after detach */
#define SN_TC_INGRESS 0
#define SN_TC_EGRESS 1
/* Bumped when the dispatcher programs change; the enforcer replaces running
 * dispatchers of an older version with a link update. */
#define SN_DISPATCH_VERSION 1

struct sn_selector {
	__u32 bank;      /* live bank, or SN_BANK_NONE */
	__u32 prev_bank; /* the bank rollback returns to, or SN_BANK_NONE */
	__u64 generation;
	__u64 prev_generation; /* 0: none */
	__u64 switched_unix;   /* wall-clock second of the last switch */
};

/* Per-CPU counts of the dispatchers, index by enum sn_disp_stat. */
enum sn_disp_stat {
	SN_DISP_XDP = 0,        /* packets the XDP dispatcher handed to a bank */
	SN_DISP_TC_STAMPED = 1, /* TC ingress packets carrying the XDP stamp */
	SN_DISP_TC_CROSSED = 2, /* ... whose stamp differed from the selector: they crossed a switch */
	SN_DISP_TC_UNSTAMPED = 3,
	SN_DISP_TC_EGRESS = 4,
	SN_DISP_NSTATS = 5,
};

#define SN_MAP_SELECTOR "sn_select"      /* ARRAY[1] of struct sn_selector */
#define SN_MAP_DISPATCH_XDP "sn_disp_xdp" /* PROG_ARRAY[SN_BANKS] */
#define SN_MAP_DISPATCH_TC "sn_disp_tc"   /* PROG_ARRAY[SN_BANKS * 2] */
#define SN_MAP_DISPATCH_STATS "sn_disp_stats" /* PERCPU_ARRAY[SN_DISP_NSTATS] of __u64 */
#define SN_PROG_DISPATCH_XDP "sn_dispatch_xdp"
#define SN_PROG_DISPATCH_TC_INGRESS "sn_dispatch_tc_in"
#define SN_PROG_DISPATCH_TC_EGRESS "sn_dispatch_tc_out"

/* The XDP chain of a generation: its entry program runs from the dispatcher
 * and passes a packet on with a tail call into the generation's own prog
 * array, at the slot its rodata names (next_slot; SN_NO_SLOT ends it). */
#define SN_MAP_CHAIN "sn_xdp_chain"
#define SN_CHAIN_SLOTS 8

SN_ASSERT_SIZE(struct sn_selector, 32);

#endif
