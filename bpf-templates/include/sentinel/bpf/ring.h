/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* Events with adaptive backpressure (common.h): an event is skipped, and
 * counted, when its ring holds more than 3/4 of the ring's own size (the
 * loader may size each ring differently) or when the reservation fails; each
 * ring has a PERCPU_ARRAY[1] of struct sn_ring_stats beside it.
 *
 *   struct sn_fw_event *e = SN_RING_RESERVE(sn_fw_events, sn_fw_rstat, struct sn_fw_event);
 *   if (e) { ...fill...; bpf_ringbuf_submit(e, 0); }
 *
 * A reservation that succeeds is counted as emitted: it must be submitted. */
#ifndef SENTINEL_BPF_RING_H
#define SENTINEL_BPF_RING_H

#include "sentinel/abi/common.h"
#include "sentinel/bpf/compat.h"

/* Declares a ring and its stats map. */
#define SN_RING_DECLARE(ring, rstat, size)                   \
	struct {                                             \
		__uint(type, BPF_MAP_TYPE_RINGBUF);          \
		__uint(max_entries, size);                   \
	} ring SEC(".maps");                                 \
	struct {                                             \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);     \
		__uint(max_entries, 1);                      \
		__type(key, __u32);                          \
		__type(value, struct sn_ring_stats);         \
	} rstat SEC(".maps")

/* The default size of a host ring; the loader may choose another. */
#define SN_RING_DEFAULT_SIZE (256 * 1024)

SN_INLINE void *sn_ring_reserve(void *ring, void *rstat, __u64 size)
{
	__u32 zero = 0;
	struct sn_ring_stats *rs = bpf_map_lookup_elem(rstat, &zero);
	__u64 used = bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA);
	__u64 cap = bpf_ringbuf_query(ring, BPF_RB_RING_SIZE);
	void *e = 0;
	if (used <= cap / 4 * 3)
		e = bpf_ringbuf_reserve(ring, size, 0);
	if (rs) {
		if (e)
			rs->emitted++;
		else
			rs->skipped++;
	}
	return e;
}

#define SN_RING_RESERVE(ring, rstat, type) ((type *)sn_ring_reserve(&(ring), &(rstat), sizeof(type)))

#endif
