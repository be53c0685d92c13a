/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* The per-packet context of meta.h: whether a packet is quiet (a smoke-test
 * frame: judged, but leaves no trace), its time, and the dispatcher's bank.
 *
 * XDP: struct sn_xdp_meta at the start of the metadata area (data_meta),
 * written by the dispatcher or handed in by BPF_PROG_TEST_RUN. Real traffic
 * arrives with no metadata, so a packet cannot forge it.
 * TC under BPF_PROG_TEST_RUN: __sk_buff cb[0..4], both magic words set. */
#ifndef SENTINEL_BPF_PCTX_H
#define SENTINEL_BPF_PCTX_H

#include "sentinel/abi/meta.h"
#include "sentinel/bpf/compat.h"

struct sn_pctx {
	__u64 time_ns; /* valid with SN_META_CLOCK */
	__u16 flags;   /* enum sn_meta_flags; 0 without metadata */
	__u16 bank;    /* valid with SN_META_BANK */
	__u32 pad;
};

/* The metadata of an XDP frame, or NULL. */
SN_INLINE struct sn_xdp_meta *sn_xdp_meta_get(struct xdp_md *ctx)
{
	struct sn_xdp_meta *m = (void *)(long)ctx->data_meta;
	if ((void *)(m + 1) > (void *)(long)ctx->data || m->magic != SN_META_MAGIC)
		return 0;
	return m;
}

SN_INLINE void sn_pctx_xdp(struct xdp_md *ctx, struct sn_pctx *c)
{
	struct sn_xdp_meta *m = sn_xdp_meta_get(ctx);
	c->flags = 0;
	c->bank = 0;
	c->time_ns = 0;
	if (m) {
		c->flags = m->flags;
		c->bank = m->bank;
		c->time_ns = m->time_ns;
	}
}

SN_INLINE void sn_pctx_tc(struct __sk_buff *skb, struct sn_pctx *c)
{
	c->flags = 0;
	c->bank = 0;
	c->time_ns = 0;
	if (skb->cb[SN_TC_CB_MAGIC_WORD] == SN_META_MAGIC &&
	    skb->cb[SN_TC_CB_MAGIC2_WORD] == SN_META_MAGIC) {
		c->flags = skb->cb[SN_TC_CB_FLAGS_WORD];
		c->time_ns = (__u64)skb->cb[SN_TC_CB_TIME_HI] << 32 | skb->cb[SN_TC_CB_TIME_LO];
	}
}

SN_INLINE int sn_quiet(const struct sn_pctx *c)
{
	return c->flags & SN_META_QUIET;
}

/* The packet's time. Called only where a time is needed: the kernel clock
 * costs more than the rest of a typical verdict. */
SN_INLINE __u64 sn_now(const struct sn_pctx *c)
{
	if (c->flags & SN_META_CLOCK)
		return c->time_ns;
	return bpf_ktime_get_ns();
}

#endif
