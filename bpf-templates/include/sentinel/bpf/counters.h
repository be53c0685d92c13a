/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* Per-rule counters of every domain (common.h): one host-scoped per-CPU
 * hash. Every object declares it identically: the enforcer hands one map to
 * all of them with bpf_map__reuse_fd, which takes the map as it is, so a
 * different declaration would only surface later, as a verifier error or as
 * counts that do not add up. */
#ifndef SENTINEL_BPF_COUNTERS_H
#define SENTINEL_BPF_COUNTERS_H

#include "sentinel/abi/common.h"
#include "sentinel/bpf/compat.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SN_MAX_COUNTERS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct sn_counter);
} sn_counters SEC(".maps");

/* Counts one packet under `key`, creating the counter on a rule's first
 * packet. Another CPU may create it first: the NOEXIST insert then fails and
 * the lookup finds theirs. */
SN_INLINE void sn_count(__u64 key, __u64 bytes)
{
	struct sn_counter *c = bpf_map_lookup_elem(&sn_counters, &key);
	if (!c) {
		struct sn_counter zero = {};
		bpf_map_update_elem(&sn_counters, &key, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&sn_counters, &key);
		if (!c)
			return; /* the map is full */
	}
	c->packets++;
	c->bytes += bytes;
}

#endif
