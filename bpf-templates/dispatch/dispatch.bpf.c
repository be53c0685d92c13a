/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* The generation switch (sentinel/abi/dispatch.h): fixed programs, one per
 * hook, that never change with the policy. Each reads the selector and
 * tail-calls the selected bank's program for its hook; an empty slot, or no
 * bank yet, passes the packet.
 *
 *   sn_dispatch_xdp     stamps struct sn_xdp_meta {bank, SN_META_BANK} in
 *                       front of the frame, then sn_disp_xdp[bank]
 *   sn_dispatch_tc_in   the XDP stamp's bank when the packet carries one
 *                       (one packet, one generation, even across a switch),
 *                       else the selector's; sn_disp_tc[bank * 2 + 0]
 *   sn_dispatch_tc_out  the selector's bank; sn_disp_tc[bank * 2 + 1] */
#include "sentinel/bpf/compat.h"

#include "sentinel/abi/dispatch.h"
#include "sentinel/abi/meta.h"
#include "sentinel/bpf/pctx.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sn_selector);
} sn_select SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SN_BANKS);
	__type(key, __u32);
	__type(value, __u32);
} sn_disp_xdp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SN_BANKS * 2);
	__type(key, __u32);
	__type(value, __u32);
} sn_disp_tc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SN_DISP_NSTATS);
	__type(key, __u32);
	__type(value, __u64);
} sn_disp_stats SEC(".maps");

SN_INLINE __u32 sn_selected_bank(void)
{
	__u32 zero = 0;
	struct sn_selector *s = bpf_map_lookup_elem(&sn_select, &zero);
	return s ? s->bank : SN_BANK_NONE;
}

SN_INLINE void sn_disp_count(__u32 stat)
{
	__u64 *v = bpf_map_lookup_elem(&sn_disp_stats, &stat);
	if (v)
		*v += 1;
}

SEC("xdp")
int sn_dispatch_xdp(struct xdp_md *ctx)
{
	__u32 bank = sn_selected_bank();
	if (bank >= SN_BANKS)
		return XDP_PASS;

	/* A test run may hand in its own metadata (quiet, clock): keep it and
	 * add the bank. Otherwise make room in front of the frame. */
	struct sn_xdp_meta *m = sn_xdp_meta_get(ctx);
	if (m) {
		m->bank = bank;
		m->flags |= SN_META_BANK;
	} else if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m)) == 0) {
		m = (void *)(long)ctx->data_meta;
		if ((void *)(m + 1) <= (void *)(long)ctx->data) {
			m->magic = SN_META_MAGIC;
			m->bank = bank;
			m->flags = SN_META_BANK;
			m->time_ns = 0;
		}
	}
	sn_disp_count(SN_DISP_XDP);
	bpf_tail_call(ctx, &sn_disp_xdp, bank);
	return XDP_PASS;
}

SEC("tc")
int sn_dispatch_tc_in(struct __sk_buff *skb)
{
	__u32 selected = sn_selected_bank();
	__u32 bank = selected;
	struct sn_xdp_meta *m = (void *)(long)skb->data_meta;

	if ((void *)(m + 1) <= (void *)(long)skb->data && m->magic == SN_META_MAGIC &&
	    (m->flags & SN_META_BANK) && m->bank < SN_BANKS) {
		bank = m->bank;
		sn_disp_count(SN_DISP_TC_STAMPED);
		if (bank != selected)
			sn_disp_count(SN_DISP_TC_CROSSED);
	} else {
		if (bank >= SN_BANKS)
			return SN_TCX_NEXT;
		sn_disp_count(SN_DISP_TC_UNSTAMPED);
	}
	bpf_tail_call(skb, &sn_disp_tc, bank * 2 + SN_TC_INGRESS);
	return SN_TCX_NEXT;
}

SEC("tc")
int sn_dispatch_tc_out(struct __sk_buff *skb)
{
	__u32 bank = sn_selected_bank();
	if (bank >= SN_BANKS)
		return SN_TCX_NEXT;
	sn_disp_count(SN_DISP_TC_EGRESS);
	bpf_tail_call(skb, &sn_disp_tc, bank * 2 + SN_TC_EGRESS);
	return SN_TCX_NEXT;
}
