/* SPDX-License-Identifier: Apache-2.0 */
/* Per-packet context that travels beside a packet: in the XDP metadata area
 * (written by the dispatcher, or handed in by BPF_PROG_TEST_RUN), and, for
 * TC programs under BPF_PROG_TEST_RUN, in __sk_buff cb[0..3].
 *
 * Real traffic reaches XDP with no metadata; only the dispatcher (or a test
 * run) can put it there, so a packet cannot forge it. At TC ingress the XDP
 * metadata is still in front of the packet (skb->data_meta): the ingress
 * dispatcher reads the bank the XDP dispatcher chose, so that one packet's
 * whole ingress path runs on one generation even across a switch. */
#ifndef SENTINEL_ABI_META_H
#define SENTINEL_ABI_META_H

#include "common.h"

#define SN_META_MAGIC 0x314d4e53u /* "SNM1" */

enum sn_meta_flags {
	SN_META_BANK = 1,  /* `bank` holds the dispatcher's choice */
	SN_META_QUIET = 2, /* judge, but count nothing, emit nothing, change no state (smoke tests) */
	SN_META_CLOCK = 4, /* `time_ns` is this packet's time (tests): used instead of the kernel clock */
};

struct sn_xdp_meta {
	__u32 magic;
	__u16 bank;
	__u16 flags;
	__u64 time_ns;
};

/* TC programs under BPF_PROG_TEST_RUN: cb[0] = SN_META_MAGIC, cb[1] = flags,
 * cb[2] = time_ns low 32 bits, cb[3] = time_ns high 32 bits, cb[4] = magic
 * again (two words must match: real skbs may carry leftovers in cb). */
#define SN_TC_CB_MAGIC_WORD 0
#define SN_TC_CB_FLAGS_WORD 1
#define SN_TC_CB_TIME_LO 2
#define SN_TC_CB_TIME_HI 3
#define SN_TC_CB_MAGIC2_WORD 4

SN_ASSERT_SIZE(struct sn_xdp_meta, 16);

#endif
