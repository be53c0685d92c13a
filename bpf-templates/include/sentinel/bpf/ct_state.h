/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* The connection-tracking state of a packet (conntrack.h), read-only: what
 * the firewall matches on. The table is written by ct_track.h only. */
#ifndef SENTINEL_BPF_CT_STATE_H
#define SENTINEL_BPF_CT_STATE_H

#include "sentinel/bpf/ct.h"
#include "sentinel/bpf/pctx.h"

/* p: a parsed IP packet, with the embedded packet of ICMP errors. The clock
 * is read only when a flow entry has to be judged live. */
SN_INLINE __u8 sn_ct_state(const struct sn_pkt *p, const struct sn_pctx *c)
{
	struct sn_ct_key k;
	struct sn_ct_entry *e;

	if (p->frag || p->icmp == SN_ICMP_OTHER)
		return SN_CT_UNTRACKED;
	int tcp = p->proto == SN_IPPROTO_TCP;
	if (tcp && sn_tcp_flags_invalid(p->tcp_flags))
		return SN_CT_INVALID;
	if (p->icmp == SN_ICMP_ERROR) {
		sn_ct_key_make(&k, p->family, p->inner.proto, p->inner.src, p->inner.dst,
			       p->inner.sport, p->inner.dport);
		e = bpf_map_lookup_elem(&sn_ct, &k);
		if (e && sn_ct_live(e, p->inner.proto, sn_now(c)))
			return SN_CT_RELATED;
		return SN_CT_INVALID;
	}

	__u8 from_a = sn_ct_pkt_key(&k, p);
	e = bpf_map_lookup_elem(&sn_ct, &k);
	int syn = tcp && sn_tcp_plain_syn(p->tcp_flags);
	if (!e || !sn_ct_live(e, p->proto, sn_now(c))) {
		if (tcp)
			return syn ? SN_CT_NEW : SN_CT_INVALID;
		if (p->icmp == SN_ICMP_ECHO_REPLY)
			return SN_CT_INVALID;
		return SN_CT_NEW;
	}
	__u8 flags = e->flags;
	int reply = from_a != !!(flags & SN_CT_F_ORIG_IS_A);
	if (syn) {
		if (e->tcp_state == SN_TCP_TIME_WAIT)
			return SN_CT_NEW; /* reopens the connection */
		if (e->tcp_state != SN_TCP_SYN_SENT || reply)
			return SN_CT_INVALID;
	}
	if (reply || (flags & SN_CT_F_SEEN_REPLY))
		return SN_CT_ESTABLISHED;
	return SN_CT_NEW;
}

#endif
