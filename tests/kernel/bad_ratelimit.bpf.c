/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* A rate-limiter-shaped object the verifier must reject: the real
 * template's program name, maps and config section, but it reads the packet
 * without a bounds check. Kernel tests put it in place of the rate limiter,
 * the second object of a generation, to check that a later program failing
 * to load leaves the running generation alone. */
#include "sentinel/bpf/compat.h"

#include "sentinel/abi/ratelimit.h"
#include "sentinel/bpf/chain.h"
#include "sentinel/bpf/cls_walk.h"
#include "sentinel/bpf/counters.h"
#include "sentinel/bpf/ring.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile struct sn_rl_config sn_cfg SEC(".rodata.sncfg") = {};

SN_CLS_DECLARE_MAPS(sn_rl_nodes, sn_rl_leaves, sn_rl_recs);

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sn_rl_rule);
} sn_rl_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SN_RL_MAX_BUCKETS);
	__type(key, struct sn_rl_bucket_key);
	__type(value, struct sn_rl_bucket);
} sn_rl_buckets SEC(".maps");

SN_RING_DECLARE(sn_rl_events, sn_rl_rstat, SN_RING_DEFAULT_SIZE);

SEC("xdp")
int sn_xdp_ratelimit(struct xdp_md *ctx)
{
	unsigned char *data = (unsigned char *)(long)ctx->data;
	/* No check against data_end: the verifier refuses this access. */
	return data[40] == sn_cfg.nrules ? XDP_DROP : XDP_PASS;
}
