/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* What an event says about its packet (struct sn_pkt_summary). */
#ifndef SENTINEL_BPF_SUMMARY_H
#define SENTINEL_BPF_SUMMARY_H

#include "sentinel/abi/common.h"
#include "sentinel/bpf/parse.h"

SN_INLINE void sn_summarize(struct sn_pkt_summary *s, const struct sn_pkt *p, __u8 ct,
			    __u32 ifindex)
{
	__builtin_memcpy(s->src, p->src, sizeof(s->src));
	__builtin_memcpy(s->dst, p->dst, sizeof(s->dst));
	s->sport = p->sport;
	s->dport = p->dport;
	s->family = p->family;
	s->proto = p->proto;
	s->ct = ct;
	s->tcp_flags = p->tcp_flags;
	s->len = p->len;
	s->ifindex = ifindex;
}

SN_INLINE void sn_event_hdr(struct sn_event_hdr *h, __u64 ts, __u64 counter_key, __u32 rule,
			    __u8 action, __u8 verdict, __u16 kind)
{
	h->ts_ns = ts;
	h->counter_key = counter_key;
	h->rule = rule;
	h->action = action;
	h->verdict = verdict;
	h->kind = kind;
}

#endif
