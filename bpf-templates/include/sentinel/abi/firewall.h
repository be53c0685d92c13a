/* SPDX-License-Identifier: Apache-2.0 */
/* Firewall: first-match L3/L4 rules (classify.h) with an allow/deny/log
 * action, a default, enforce or audit mode, and the connection-tracking
 * state of the packet (conntrack.h) as a match field when the policy tracks
 * connections. Runs first in the XDP chain. */
#ifndef SENTINEL_ABI_FIREWALL_H
#define SENTINEL_ABI_FIREWALL_H

#include "classify.h"

enum sn_fw_action {
	SN_FW_ALLOW = 0,
	SN_FW_DENY = 1,
	SN_FW_LOG = 2, /* pass and emit an event */
	SN_FW_REJECT = 3, /* drop and answer: TCP RST, or ICMP/ICMPv6 port unreachable */
};

enum sn_fw_mode {
	SN_FW_ENFORCE = 0,
	SN_FW_AUDIT = 1, /* count and report would-be drops, pass everything */
};

enum sn_fw_ct_mode {
	SN_FW_CT_OFF = 0,     /* no connection tracking: the ct field is 0 (untracked) */
	SN_FW_CT_RULES = 1,   /* every packet goes through the rules, which see its ct state */
	SN_FW_CT_ACCEPT = 2,  /* established and related packets pass before the rules */
};

/* Rules array, indexed by rule index; index nrules is the default policy. */
struct sn_fw_rule {
	__u64 counter_key;
	__u32 action; /* enum sn_fw_action */
	__u32 flags;  /* zero */
};

/* Scalars set in .rodata.sncfg before load. */
struct sn_fw_config {
	__u32 cls_steps;      /* the classifier walk's bound (classify.h) */
	__u32 nrules;         /* rules without the default */
	__u32 default_action; /* SN_FW_ALLOW or SN_FW_DENY */
	__u32 mode;           /* enum sn_fw_mode */
	__u32 ct_mode;        /* enum sn_fw_ct_mode */
	__u32 next_slot;      /* chain slot a passed packet goes to, or SN_NO_SLOT */
	__u64 malformed_counter_key;   /* truncated IP or L4 headers */
	__u64 established_counter_key; /* passed by SN_FW_CT_ACCEPT */
	__u64 reject_interval_ns; /* `reject` answers per source: one per interval ... */
	__u32 reject_burst;       /* ... with bursts of up to this many */
	__u32 iface_rules;        /* 1: some rule names interfaces (sn_fw_ifaces) */
};

/* Scratch for the packet an ICMP answer quotes (sentinel/bpf/reject.h). */
#define SN_FW_QUOTE 128
struct sn_fw_quote {
	__u8 b[SN_FW_QUOTE];
};

/* The per-source budget of `reject` answers (sentinel/bpf/reject.h). */
#define SN_FW_REJECT_SOURCES 65536
struct sn_fw_reject_key {
	__u32 addr[4]; /* network order; IPv4 in addr[0] */
	__u32 family;  /* 4 or 6 */
};
struct sn_fw_reject_state {
	__u64 tat_ns; /* theoretical arrival time of the next answer (GCRA) */
};

enum sn_fw_event_kind {
	SN_FW_EVENT_LOG = 0,   /* a `log` rule matched */
	SN_FW_EVENT_AUDIT = 1, /* audit mode: this packet would have been dropped */
};

/* Ring buffer record. */
struct sn_fw_event {
	struct sn_event_hdr hdr;
	struct sn_pkt_summary pkt;
};

SN_ASSERT_SIZE(struct sn_fw_rule, 16);
SN_ASSERT_SIZE(struct sn_fw_config, 56);
SN_ASSERT_SIZE(struct sn_fw_reject_key, 20);
SN_ASSERT_SIZE(struct sn_fw_reject_state, 8);
SN_ASSERT_SIZE(struct sn_fw_event, 72);

#define SN_FW_PROG "sn_xdp_firewall"
#define SN_FW_MAP_NODES "sn_fw_nodes"   /* generation ARRAY of sn_cls_node */
#define SN_FW_MAP_LEAVES "sn_fw_leaves" /* generation ARRAY of __u32 record indexes */
#define SN_FW_MAP_RECS "sn_fw_recs"     /* generation ARRAY of sn_cls_rec */
#define SN_FW_MAP_RULES "sn_fw_rules"    /* generation ARRAY[nrules + 1] of sn_fw_rule */
#define SN_FW_MAP_EVENTS "sn_fw_events"  /* host RINGBUF */
#define SN_FW_MAP_RINGSTAT "sn_fw_rstat" /* host PERCPU_ARRAY[1] of sn_ring_stats */
#define SN_FW_MAP_REJECT "sn_fw_reject"  /* host LRU_HASH sn_fw_reject_key -> sn_fw_reject_state */
#define SN_FW_MAP_QUOTE "sn_fw_quote"    /* generation PERCPU_ARRAY[1] of sn_fw_quote: scratch */
/* generation HASH ifindex (__u32) -> the interface's slot bits (__u32,
 * cls_extra.h), filled by the enforcer for the interfaces it attaches to */
#define SN_FW_MAP_IFACES "sn_fw_ifaces"
#define SN_FW_IFACES_MAX 64

#endif
