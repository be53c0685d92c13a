/* SPDX-License-Identifier: Apache-2.0 */
/* The one contract between sentinelc, the BPF programs and sentinel-enforcer.
 * Plain C, fixed-size little-endian layouts, sizes asserted. Any change to a
 * layout in this folder bumps SN_ABI_VERSION. */
#ifndef SENTINEL_ABI_COMMON_H
#define SENTINEL_ABI_COMMON_H

#ifdef __BPF__
#include <linux/types.h>
#else
#include <linux/types.h>
#endif

#define SN_ABI_VERSION 1

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

/* Per-rule counters live in a shared per-CPU hash, keyed by a stable 64-bit
 * hash of "<domain>/<rule id>", so that they survive generation swaps. */
struct sn_counter {
	__u64 packets;
	__u64 bytes;
};

#ifdef __cplusplus
#define SN_ASSERT_SIZE(t, n) static_assert(sizeof(t) == (n), #t " size is part of the ABI")
#else
#define SN_ASSERT_SIZE(t, n) _Static_assert(sizeof(t) == (n), #t " size is part of the ABI")
#endif

SN_ASSERT_SIZE(struct sn_image_header, 32);
SN_ASSERT_SIZE(struct sn_counter, 16);

#endif
