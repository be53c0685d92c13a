/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* Does a packet meet a record's extra match fields (abi/cls_extra.h)? */
#ifndef SENTINEL_BPF_CLS_EXTRA_H
#define SENTINEL_BPF_CLS_EXTRA_H

#include "sentinel/abi/cls_extra.h"
#include "sentinel/bpf/parse.h"

SN_INLINE int sn_cls_extra_match(const struct sn_cls_extra *x, const struct sn_pkt *p)
{
	(void)p;
	return x->has == 0;
}

#endif
