/* SPDX-License-Identifier: Apache-2.0 */
/* Connection tracking. TC programs on TCX ingress and egress track every
 * packet that passes them in one host-scoped table; the XDP firewall reads it
 * (never writes) to give each incoming packet its state, which rules can
 * match and which SN_FW_CT_ACCEPT lets through before the rules. The table is
 * shared by every generation, so tracked flows survive swaps.
 *
 * A flow is keyed by its two endpoints in a canonical order: endpoint a is
 * the smaller of (address bytes, port) compared address first, so both
 * directions find one entry. The entry remembers which endpoint sent first
 * (the original direction). ICMP and ICMPv6 echo use the identifier as both
 * ports; protocols other than TCP, UDP and ICMP echo use ports 0.
 *
 * The state of a packet (what the firewall sees):
 *   untracked  not IP; a non-first fragment; ICMP other than echo and errors
 *   invalid    TCP with an impossible flag combination (SYN+FIN, SYN+RST,
 *              FIN+RST, no flags, FIN/PSH/URG without ACK); a TCP packet
 *              other than a plain SYN with no live flow; a SYN on a live
 *              flow other than a retransmission in SYN_SENT or a reopening in
 *              TIME_WAIT/CLOSE; an echo reply with no live flow; an ICMP
 *              error about no live flow
 *   related    an ICMP error (v4: 3, 4, 5, 11, 12; v6: 1, 2, 3, 4) whose
 *              embedded packet belongs to a live flow
 *   new        no live flow and the packet can open one (plain SYN, UDP, echo
 *              request, other protocols); or a live flow that has seen no
 *              reply and the packet goes in the original direction
 *   established a live flow, and the packet is a reply or the flow has seen one
 * A flow is live while now < expires_ns and, for TCP, its state is not CLOSE
 * (a plain SYN on a TIME_WAIT or CLOSE flow reopens it: state new).
 *
 * Tracking (TC ingress and egress; quiet test packets change nothing):
 * untracked and invalid-flag packets are skipped, ICMP errors too. With no
 * live flow, a packet that can open one creates it (TCP SYN: SYN_SENT); a TCP
 * packet other than SYN or RST that passed the firewall creates it
 * ESTABLISHED with SN_CT_F_PICKED_UP (a connection older than the table);
 * an echo reply or RST creates nothing. On a live flow, a reply sets
 * SN_CT_F_SEEN_REPLY, and TCP moves SYN_SENT -(reply SYN+ACK)-> SYN_RECV
 * -(original ACK)-> ESTABLISHED; a FIN marks its direction, FIN_WAIT after
 * the first and TIME_WAIT after both; RST -> CLOSE. Every tracked packet
 * sets last_ns = now and expires_ns = now + the timeout of the resulting
 * state (struct sn_ct_config). */
#ifndef SENTINEL_ABI_CONNTRACK_H
#define SENTINEL_ABI_CONNTRACK_H

#include "common.h"

enum sn_ct_pkt_state {
	SN_CT_UNTRACKED = 0,
	SN_CT_NEW = 1,
	SN_CT_ESTABLISHED = 2,
	SN_CT_RELATED = 3,
	SN_CT_INVALID = 4,
};

enum sn_ct_tcp_state {
	SN_TCP_NONE = 0, /* not TCP */
	SN_TCP_SYN_SENT = 1,
	SN_TCP_SYN_RECV = 2,
	SN_TCP_ESTABLISHED = 3,
	SN_TCP_FIN_WAIT = 4,
	SN_TCP_TIME_WAIT = 5,
	SN_TCP_CLOSE = 6,
};

enum sn_ct_flags {
	SN_CT_F_ORIG_IS_A = 1,  /* the original direction is a -> b */
	SN_CT_F_SEEN_REPLY = 2,
	SN_CT_F_PICKED_UP = 4,
	SN_CT_F_FIN_ORIG = 8,
	SN_CT_F_FIN_REPLY = 16,
};

struct sn_ct_key {
	__u8 family; /* 4 or 6 */
	__u8 proto;
	__u16 port_a;
	__u16 port_b;
	__u16 pad;
	__u32 addr_a[4]; /* network order; IPv4 in word 0 */
	__u32 addr_b[4];
};

struct sn_ct_entry {
	__u64 expires_ns;
	__u64 created_ns;
	__u64 last_ns;
	__u8 tcp_state; /* enum sn_ct_tcp_state */
	__u8 flags;     /* enum sn_ct_flags */
	__u16 pad;
	__u32 pad2;
};

enum sn_ct_timeout {
	SN_CT_TO_TCP_SYN = 0,         /* SYN_SENT, SYN_RECV */
	SN_CT_TO_TCP_ESTABLISHED = 1, /* ESTABLISHED */
	SN_CT_TO_TCP_CLOSING = 2,     /* FIN_WAIT, TIME_WAIT */
	SN_CT_TO_TCP_CLOSE = 3,       /* CLOSE (after RST) */
	SN_CT_TO_UDP = 4,             /* no reply seen */
	SN_CT_TO_UDP_STREAM = 5,      /* a reply seen */
	SN_CT_TO_ICMP = 6,
	SN_CT_TO_OTHER = 7,
	SN_CT_NTIMEOUTS = 8,
};

/* .rodata.sncfg of the conntrack programs. */
struct sn_ct_config {
	__u64 timeout_ns[SN_CT_NTIMEOUTS];
	__u64 created_counter_key; /* flows created */
};

SN_ASSERT_SIZE(struct sn_ct_key, 40);
SN_ASSERT_SIZE(struct sn_ct_entry, 32);
SN_ASSERT_SIZE(struct sn_ct_config, 72);

#define SN_CT_MAX_ENTRIES 65536
#define SN_CT_MAP "sn_ct" /* host LRU_HASH[SN_CT_MAX_ENTRIES] sn_ct_key -> sn_ct_entry */
#define SN_CT_PROG_INGRESS "sn_tc_ct_ingress"
#define SN_CT_PROG_EGRESS "sn_tc_ct_egress"

#endif
