/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* sn_tc_ct_ingress, sn_tc_ct_egress: connection tracking on TCX ingress and
 * egress (sentinel/abi/conntrack.h). Both track every packet into the host
 * table sn_ct, which the XDP firewall reads; the table outlives generations.
 * They never judge a packet: the answer is always TCX_NEXT. Quiet test
 * packets change nothing. */
#include "sentinel/bpf/compat.h"

#include "sentinel/abi/conntrack.h"
#include "sentinel/bpf/counters.h"
#include "sentinel/bpf/ct_track.h"
#include "sentinel/bpf/parse.h"
#include "sentinel/bpf/pctx.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile struct sn_ct_config sn_cfg SEC(".rodata.sncfg") = {};

/* Full BTF for the structs __sk_buff points to. Left as forward declarations,
 * LLVM 19 emits them in the order of their addresses in the compiler's heap,
 * so one source gave different objects from one build to the next. A
 * function's parameters are described in full; this one is never called, so
 * libbpf never loads it. */
__attribute__((used, noinline)) static int sn_btf_types(struct bpf_flow_keys *flow_keys, struct bpf_sock *sk)
{
	return flow_keys != 0 && sk != 0;
}

SN_INLINE int sn_tc_ct(struct __sk_buff *skb)
{
	struct sn_pctx c;
	struct sn_pkt p;

	sn_pctx_tc(skb, &c);
	if (sn_quiet(&c))
		return SN_TCX_NEXT;
	/* ICMP errors are not tracked: no need for their embedded packet. */
	if (sn_parse_skb(skb, &p, 1, 0) != SN_PARSE_OK)
		return SN_TCX_NEXT;
	if (sn_ct_track(&p, sn_now(&c), sn_cfg.timeout_ns))
		sn_count(sn_cfg.created_counter_key, p.len);
	return SN_TCX_NEXT;
}

SEC("tc")
int sn_tc_ct_ingress(struct __sk_buff *skb)
{
	return sn_tc_ct(skb);
}

SEC("tc")
int sn_tc_ct_egress(struct __sk_buff *skb)
{
	return sn_tc_ct(skb);
}
