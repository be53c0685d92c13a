/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* The connection table of conntrack.h and what both of its users need: the
 * canonical flow key, liveness, TCP flag sanity, the timeout of a state.
 * ct_state.h reads the table (the XDP firewall), ct_track.h writes it (TC). */
#ifndef SENTINEL_BPF_CT_H
#define SENTINEL_BPF_CT_H

#include "sentinel/abi/conntrack.h"
#include "sentinel/bpf/parse.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SN_CT_MAX_ENTRIES);
	__type(key, struct sn_ct_key);
	__type(value, struct sn_ct_entry);
} sn_ct SEC(".maps");

/* Whether address x sorts before y as bytes (network order), as memcmp
 * would say; *equal when they are the same address. */
SN_INLINE int sn_ct_addr_less(const __u32 *x, const __u32 *y, __u8 family, int *equal)
{
	*equal = 0;
#pragma unroll
	for (int i = 0; i < 4; i++) {
		if (i && family != 6)
			break;
		if (x[i] != y[i])
			return bpf_ntohl(x[i]) < bpf_ntohl(y[i]);
	}
	*equal = 1;
	return 0;
}

/* Fills the canonical key of the flow (src, sport) <-> (dst, dport) and
 * returns 1 when the source is endpoint a. */
SN_INLINE __u8 sn_ct_key_make(struct sn_ct_key *k, __u8 family, __u8 proto, const __u32 *src,
			      const __u32 *dst, __u16 sport, __u16 dport)
{
	int equal;
	int less = sn_ct_addr_less(src, dst, family, &equal);
	__u8 src_is_a = less || (equal && sport <= dport);
	const __u32 *a = src_is_a ? src : dst;
	const __u32 *b = src_is_a ? dst : src;

	k->family = family;
	k->proto = proto;
	k->port_a = src_is_a ? sport : dport;
	k->port_b = src_is_a ? dport : sport;
	k->pad = 0;
	k->addr_a[0] = a[0];
	k->addr_b[0] = b[0];
	if (family == 6) {
		k->addr_a[1] = a[1];
		k->addr_a[2] = a[2];
		k->addr_a[3] = a[3];
		k->addr_b[1] = b[1];
		k->addr_b[2] = b[2];
		k->addr_b[3] = b[3];
	} else {
		k->addr_a[1] = k->addr_a[2] = k->addr_a[3] = 0;
		k->addr_b[1] = k->addr_b[2] = k->addr_b[3] = 0;
	}
	return src_is_a;
}

/* The key of the packet's own flow: TCP and UDP ports, the echo identifier
 * as both ports, 0 for other protocols. */
SN_INLINE __u8 sn_ct_pkt_key(struct sn_ct_key *k, const struct sn_pkt *p)
{
	__u16 sport = p->sport, dport = p->dport;
	if (p->icmp == SN_ICMP_ECHO_REQUEST || p->icmp == SN_ICMP_ECHO_REPLY)
		sport = dport = p->icmp_id;
	return sn_ct_key_make(k, p->family, p->proto, p->src, p->dst, sport, dport);
}

SN_INLINE int sn_ct_live(const struct sn_ct_entry *e, __u8 proto, __u64 now)
{
	return now < e->expires_ns && !(proto == SN_IPPROTO_TCP && e->tcp_state == SN_TCP_CLOSE);
}

/* SYN+FIN, SYN+RST, FIN+RST, no flags, FIN/PSH/URG without ACK. */
SN_INLINE int sn_tcp_flags_invalid(__u8 f)
{
	f &= SN_TCP_FIN | SN_TCP_SYN | SN_TCP_RST | SN_TCP_PSH | SN_TCP_ACK | SN_TCP_URG;
	if (!f)
		return 1;
	if ((f & (SN_TCP_SYN | SN_TCP_FIN)) == (SN_TCP_SYN | SN_TCP_FIN) ||
	    (f & (SN_TCP_SYN | SN_TCP_RST)) == (SN_TCP_SYN | SN_TCP_RST) ||
	    (f & (SN_TCP_FIN | SN_TCP_RST)) == (SN_TCP_FIN | SN_TCP_RST))
		return 1;
	return (f & (SN_TCP_FIN | SN_TCP_PSH | SN_TCP_URG)) && !(f & SN_TCP_ACK);
}

/* A SYN that opens a connection: no ACK (that is a SYN+ACK), no FIN or RST. */
SN_INLINE int sn_tcp_plain_syn(__u8 f)
{
	return (f & (SN_TCP_SYN | SN_TCP_ACK | SN_TCP_FIN | SN_TCP_RST)) == SN_TCP_SYN;
}

/* Which sn_ct_config timeout applies to a flow in the state of `e`. */
SN_INLINE __u32 sn_ct_timeout_index(__u8 proto, __u8 tcp_state, __u8 flags)
{
	if (proto == SN_IPPROTO_TCP) {
		if (tcp_state == SN_TCP_ESTABLISHED)
			return SN_CT_TO_TCP_ESTABLISHED;
		if (tcp_state == SN_TCP_FIN_WAIT || tcp_state == SN_TCP_TIME_WAIT)
			return SN_CT_TO_TCP_CLOSING;
		if (tcp_state == SN_TCP_CLOSE)
			return SN_CT_TO_TCP_CLOSE;
		return SN_CT_TO_TCP_SYN;
	}
	if (proto == SN_IPPROTO_UDP)
		return (flags & SN_CT_F_SEEN_REPLY) ? SN_CT_TO_UDP_STREAM : SN_CT_TO_UDP;
	if (proto == SN_IPPROTO_ICMP || proto == SN_IPPROTO_ICMPV6)
		return SN_CT_TO_ICMP;
	return SN_CT_TO_OTHER;
}

#endif
