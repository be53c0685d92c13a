/* SPDX-License-Identifier: Apache-2.0 */
/* The one contract between sentinelc, the BPF programs and sentinel-enforcer.
 * Plain C, fixed-size little-endian layouts, sizes asserted. Any change to a
 * layout in this folder bumps SN_ABI_VERSION. */
#ifndef SENTINEL_ABI_COMMON_H
#define SENTINEL_ABI_COMMON_H

#include <linux/types.h>

#define SN_ABI_VERSION 3

#ifdef __cplusplus
#define SN_ASSERT_SIZE(t, n) static_assert(sizeof(t) == (n), #t " size is part of the ABI")
#else
#define SN_ASSERT_SIZE(t, n) _Static_assert(sizeof(t) == (n), #t " size is part of the ABI")
#endif

/* Every map image in a bundle starts with this header, then `count`
 * records of key_size + value_size bytes, sorted by key bytes. */
#define SN_IMAGE_MAGIC 0x494d4e53u /* "SNMI" */

enum sn_image_kind {
	SN_IMAGE_RODATA = 1, /* one record, key_size 0: a .rodata config blob */
	SN_IMAGE_ARRAY = 2,  /* key is a __u32 index */
	SN_IMAGE_HASH = 3,
};

struct sn_image_header {
	__u32 magic;
	__u32 abi_version;
	__u32 kind;
	__u32 key_size;
	__u32 value_size;
	__u32 count;
	__u64 reserved;
};

/* Per-rule counters of every domain live in one host-scoped per-CPU hash,
 * keyed by a stable 64-bit hash of "<domain>/<rule id>" (FNV-1a 64), so that
 * a rule keeps its counts across generations. Created by the programs on a
 * rule's first packet; the enforcer deletes the keys no kept generation uses. */
struct sn_counter {
	__u64 packets;
	__u64 bytes;
};
#define SN_MAP_COUNTERS "sn_counters"
#define SN_MAX_COUNTERS (1u << 18)

/* Backpressure accounting of one ring buffer: a PERCPU_ARRAY of one entry
 * beside each ring. An event is skipped, and counted, when the ring holds
 * more than 3/4 of its own size (whatever size it was created with). */
struct sn_ring_stats {
	__u64 emitted;
	__u64 skipped;
};

/* What events say about the packet that caused them. Addresses in network
 * order (IPv4 in word 0), ports in host order. */
struct sn_pkt_summary {
	__u32 src[4];
	__u32 dst[4];
	__u16 sport;
	__u16 dport;
	__u8 family;    /* 4 or 6 */
	__u8 proto;     /* IP protocol */
	__u8 ct;        /* enum sn_ct_pkt_state, 0 when untracked */
	__u8 tcp_flags; /* FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 */
	__u32 len;      /* frame length */
	__u32 ifindex;  /* where it was seen */
};

/* Every event record of every ring starts with this. */
struct sn_event_hdr {
	__u64 ts_ns;       /* bpf_ktime_get_ns(), or the test clock */
	__u64 counter_key; /* the rule's counter key */
	__u32 rule;        /* the rule's index in its generation; nrules = default */
	__u8 action;       /* the domain's action enum */
	__u8 verdict;      /* 0 passed, 1 dropped */
	__u16 kind;        /* domain-specific event kind, 0 by default */
};

/* Chain slot "none": a program whose rodata says so ends the chain. */
#define SN_NO_SLOT 0xffffffffu

SN_ASSERT_SIZE(struct sn_image_header, 32);
SN_ASSERT_SIZE(struct sn_counter, 16);
SN_ASSERT_SIZE(struct sn_ring_stats, 16);
SN_ASSERT_SIZE(struct sn_pkt_summary, 48);
SN_ASSERT_SIZE(struct sn_event_hdr, 24);

#endif
