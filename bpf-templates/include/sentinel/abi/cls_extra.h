/* SPDX-License-Identifier: Apache-2.0 */
/* The match fields of a classifier record beyond the ones the classifier
 * cuts on (family, addresses, ports, protocol, ct state): checked only in a
 * leaf, record by record (sentinel/bpf/cls_extra.h). `has` says which are
 * constrained; a record with has == 0 constrains none of them. */
#ifndef SENTINEL_ABI_CLS_EXTRA_H
#define SENTINEL_ABI_CLS_EXTRA_H

#include "common.h"

struct sn_cls_extra {
	__u32 has; /* bit set of constrained fields; 0: none */
	__u32 pad;
};

SN_ASSERT_SIZE(struct sn_cls_extra, 8);

#endif
