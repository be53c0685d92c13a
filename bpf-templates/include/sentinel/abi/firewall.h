/* SPDX-License-Identifier: Apache-2.0 */
/* Firewall ABI: tuple-space classification with exact first-match.
 *
 * The compiler expands every rule into (family, src prefix, dst prefix,
 * protocol, source-port prefix, destination-port prefix) entries. Entries
 * that share the same mask shape form a tuple. The key map holds, for each
 * (tuple, masked fields), the smallest rule index that produces it. Per
 * packet the program walks the tuples in ascending order of their smallest
 * rule index, masks the packet with each tuple's masks and looks it up; the
 * walk stops as soon as the next tuple cannot beat the best rule found. The
 * number of lookups depends on the number of distinct rule shapes, not on
 * the number of rules. Addresses are in network byte order, ports and
 * everything else in host order. */
#ifndef SENTINEL_ABI_FIREWALL_H
#define SENTINEL_ABI_FIREWALL_H

#include "common.h"

#define SN_FW_MAX_TUPLES 1024
/* Counters of all rules of the live and the previous generation: a policy
 * may have at most half of this many rules. The map's bucket array is sized
 * by it up front (16 bytes a bucket), so it is no larger than it must be. */
#define SN_FW_MAX_COUNTERS (1u << 18)

enum sn_fw_action {
	SN_FW_ALLOW = 0,
	SN_FW_DENY = 1,
	SN_FW_LOG = 2, /* pass and emit an event */
};

enum sn_fw_mode {
	SN_FW_ENFORCE = 0,
	SN_FW_AUDIT = 1, /* count and report would-be drops, pass everything */
};

/* Key of the classification hash map. */
struct sn_fw_key {
	__u32 tuple;
	__u8 family; /* 4 or 6 */
	__u8 proto;  /* masked IP protocol */
	__u16 sport; /* masked */
	__u16 dport; /* masked */
	__u16 pad;
	__u32 src[4]; /* masked, network order; IPv4 uses src[0] only */
	__u32 dst[4];
};

/* Value of the classification hash map. */
struct sn_fw_match {
	__u32 rule; /* index into the rules array: lower wins */
};

/* One tuple: the mask shape shared by a group of key entries. */
struct sn_fw_tuple {
	__u32 min_rule; /* smallest rule index of any entry in this tuple */
	__u8 family;
	__u8 proto_mask;  /* 0 (any protocol) or 0xff */
	__u16 sport_mask;
	__u16 dport_mask;
	__u16 needs_ports; /* 1: only packets that carry L4 ports can match */
	__u32 src_mask[4];
	__u32 dst_mask[4];
	__u32 pad; /* zero; keeps the asserted 48-byte size explicit */
};

/* Rules array, indexed by rule index; index nrules is the default policy. */
struct sn_fw_rule {
	__u64 counter_key;
	__u32 action; /* enum sn_fw_action */
	__u32 flags;
};

/* Scalars set in .rodata.sncfg before load. */
struct sn_fw_config {
	__u32 ntuples;
	__u32 nrules;         /* rules without the default */
	__u32 default_action; /* SN_FW_ALLOW or SN_FW_DENY */
	__u32 mode;           /* enum sn_fw_mode */
	__u64 generation;
	__u64 malformed_counter_key;
};

/* Ring buffer record: log rules, and would-be drops in audit mode. */
struct sn_fw_event {
	__u64 counter_key;
	__u32 rule;
	__u8 action;
	__u8 verdict; /* XDP action applied */
	__u8 family;
	__u8 proto;
	__u16 sport;
	__u16 dport;
	__u32 pkt_len;
	__u32 src[4];
	__u32 dst[4];
};

/* Backpressure accounting for the events ring, index 0. */
struct sn_ring_stats {
	__u64 emitted;
	__u64 skipped; /* ring over 75% of its own size */
};

SN_ASSERT_SIZE(struct sn_fw_key, 44);
SN_ASSERT_SIZE(struct sn_fw_match, 4);
SN_ASSERT_SIZE(struct sn_fw_tuple, 48);
SN_ASSERT_SIZE(struct sn_fw_rule, 16);
SN_ASSERT_SIZE(struct sn_fw_config, 32);
SN_ASSERT_SIZE(struct sn_fw_event, 56);
SN_ASSERT_SIZE(struct sn_ring_stats, 16);

/* Map names as they appear in the BPF object and under bpffs. */
#define SN_FW_MAP_TUPLES "sn_fw_tuples"
#define SN_FW_MAP_KEYS "sn_fw_keys"
#define SN_FW_MAP_RULES "sn_fw_rules"
#define SN_FW_MAP_PIR "sn_fw_pir"      /* the generation's PIR text, chunked */
#define SN_FW_MAP_COUNTERS "sn_fw_cnt" /* shared state */
#define SN_FW_MAP_EVENTS "sn_fw_events" /* shared state */
#define SN_FW_MAP_RINGSTAT "sn_fw_rstat" /* shared state */
#define SN_FW_PROG "sn_xdp_firewall"
#define SN_FW_PIR_CHUNK 4096

/* A frame whose XDP metadata starts with this value is the enforcer's smoke
 * test of a new generation: judged like any other, but neither counted nor
 * reported, so an apply never moves the live figures. Real traffic reaches
 * the program with no metadata. */
#define SN_SMOKE_META_MAGIC 0x31454b4f4d534e53ull /* "SNSMOKE1" */

#endif
