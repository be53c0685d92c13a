/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* The XDP chain of a generation (dispatch.h): a program passes a packet on
 * with a tail call into sn_xdp_chain at the slot its rodata names. Every XDP
 * program that passes on declares the array identically, so that the
 * enforcer can give all of a generation's programs the same one. */
#ifndef SENTINEL_BPF_CHAIN_H
#define SENTINEL_BPF_CHAIN_H

#include "sentinel/abi/dispatch.h"
#include "sentinel/bpf/compat.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SN_CHAIN_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} sn_xdp_chain SEC(".maps");

/* `slot` comes from rodata: a constant to the verifier, so the JIT patches a
 * direct jump, and a chain end (SN_NO_SLOT) compiles to a plain XDP_PASS.
 * An empty slot passes the packet too. */
SN_INLINE int sn_chain_next(struct xdp_md *ctx, __u32 slot)
{
	if (slot != SN_NO_SLOT)
		bpf_tail_call(ctx, &sn_xdp_chain, slot);
	return XDP_PASS;
}

#endif
