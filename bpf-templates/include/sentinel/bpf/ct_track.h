/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* Connection tracking updates (conntrack.h), run by the TC programs on
 * ingress and egress for every packet they see. */
#ifndef SENTINEL_BPF_CT_TRACK_H
#define SENTINEL_BPF_CT_TRACK_H

#include "sentinel/bpf/ct.h"

#define SN_CT_FIN_BOTH (SN_CT_F_FIN_ORIG | SN_CT_F_FIN_REPLY)

/* Tracks one parsed IP packet at time `now`; timeout_ns is the config's
 * table (enum sn_ct_timeout). Returns 1 when the packet created a flow
 * (a new one, a mid-stream pickup, or a reopening of a closed one).
 *
 * Packets the firewall would call invalid for their flow (a SYN on a live
 * connection, other than a retransmission or a reopening) change nothing,
 * like the untracked ones, so that a stray packet cannot refresh or close a
 * connection it does not belong to. Entries are updated in place: two CPUs
 * racing on one flow may lose one of two timestamps, never the entry. */
SN_INLINE int sn_ct_track(const struct sn_pkt *p, __u64 now, const volatile __u64 *timeout_ns)
{
	struct sn_ct_key k;

	if (p->frag || p->icmp == SN_ICMP_OTHER || p->icmp == SN_ICMP_ERROR)
		return 0;
	int tcp = p->proto == SN_IPPROTO_TCP;
	__u8 tf = p->tcp_flags;
	if (tcp && sn_tcp_flags_invalid(tf))
		return 0;

	__u8 from_a = sn_ct_pkt_key(&k, p);
	struct sn_ct_entry *e = bpf_map_lookup_elem(&sn_ct, &k);
	int syn = tcp && sn_tcp_plain_syn(tf);

	if (!e || !sn_ct_live(e, p->proto, now) || (syn && e->tcp_state == SN_TCP_TIME_WAIT)) {
		struct sn_ct_entry n = {};
		if (tcp) {
			if (syn) {
				n.tcp_state = SN_TCP_SYN_SENT;
			} else if (tf & (SN_TCP_SYN | SN_TCP_RST)) {
				return 0; /* a SYN+ACK or RST opens nothing */
			} else {
				/* A connection older than the table. */
				n.tcp_state = SN_TCP_ESTABLISHED;
				n.flags = SN_CT_F_PICKED_UP;
			}
		} else if (p->icmp == SN_ICMP_ECHO_REPLY) {
			return 0;
		}
		if (from_a)
			n.flags |= SN_CT_F_ORIG_IS_A;
		n.created_ns = now;
		n.last_ns = now;
		n.expires_ns = now + timeout_ns[sn_ct_timeout_index(p->proto, n.tcp_state, n.flags)];
		return bpf_map_update_elem(&sn_ct, &k, &n, BPF_ANY) == 0;
	}

	__u8 st = e->tcp_state;
	__u8 f = e->flags;
	int reply = from_a != !!(f & SN_CT_F_ORIG_IS_A);
	if (syn && (st != SN_TCP_SYN_SENT || reply))
		return 0;
	if (reply)
		f |= SN_CT_F_SEEN_REPLY;
	if (tcp) {
		if (st == SN_TCP_SYN_SENT && reply &&
		    (tf & (SN_TCP_SYN | SN_TCP_ACK)) == (SN_TCP_SYN | SN_TCP_ACK))
			st = SN_TCP_SYN_RECV;
		else if (st == SN_TCP_SYN_RECV && !reply &&
			 (tf & (SN_TCP_SYN | SN_TCP_ACK)) == SN_TCP_ACK)
			st = SN_TCP_ESTABLISHED;
		if (tf & SN_TCP_FIN) {
			f |= reply ? SN_CT_F_FIN_REPLY : SN_CT_F_FIN_ORIG;
			st = (f & SN_CT_FIN_BOTH) == SN_CT_FIN_BOTH ? SN_TCP_TIME_WAIT : SN_TCP_FIN_WAIT;
		}
		if (tf & SN_TCP_RST)
			st = SN_TCP_CLOSE;
	}
	e->tcp_state = st;
	e->flags = f;
	e->last_ns = now;
	e->expires_ns = now + timeout_ns[sn_ct_timeout_index(p->proto, st, f)];
	return 0;
}

#endif
