/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harrier cgroup network deny (programs/cgroup_net.bpf.c): maps and key layouts.
 * The C# mirror is engine/Harrier.Engine/Enforcement/CgroupNetKeys.cs. Layouts are ABI: append only.
 *
 *   cg_deny4  LPM trie (op, port, cgroup id, IPv4 address/prefix) -> cg_entry
 *   cg_deny6  LPM trie (op, port, cgroup id, IPv6 address/prefix) -> cg_entry
 *             op: CG_OP_CONNECT / CG_OP_BIND; port big endian, 0 = any port; cgroup id 0 = any
 *             cgroup below the attach point. The fixed fields (op, pad, port, cgroup id = 96 bits)
 *             are always matched in full; prefixlen = 96 + the CIDR bits. A lookup tries
 *             (cgroup, port), (cgroup, any port), (any cgroup, port), (any, any).
 *   cg_decisions  ring buffer of struct dec_record (abi/decisions.h) with hdr.op EVT_CGROUP_DECISION,
 *             hook DEC_HOOK_SOCKET_CONNECT / DEC_HOOK_SOCKET_BIND, match DEC_MATCH_NET, aux 0 connect,
 *             1 sendmsg (unconnected UDP, checked against the CG_OP_CONNECT entries), 2 bind.
 *   cg_stats  per-CPU counters (enum cg_stat).
 */
#ifndef HARRIER_CGROUP_NET_MAPS_H
#define HARRIER_CGROUP_NET_MAPS_H

#include "abi/decisions.h"

enum cg_op {
	CG_OP_CONNECT = 1,
	CG_OP_BIND = 2,
};

/* cg_entry.flags */
enum cg_flags {
	CG_F_MONITOR = 1 << 0, /* allow, emit a would-deny record */
};

struct cg_entry {
	__u32 rule_id;
	__u32 flags;
};

#define CG_FIXED_BITS 96

struct cg_key4 {
	__u32 prefixlen; /* 96 + CIDR bits */
	__u8 op;
	__u8 pad;
	__u8 port[2];    /* big endian, 0 = any */
	__u64 cgroup_id; /* 0 = any */
	__u8 addr[4];
};

struct cg_key6 {
	__u32 prefixlen;
	__u8 op;
	__u8 pad;
	__u8 port[2];
	__u64 cgroup_id;
	__u8 addr[16];
};

enum cg_stat {
	CG_STAT_CHECKED = 0,    /* connect/bind calls seen */
	CG_STAT_DENIED = 1,
	CG_STAT_WOULD_DENY = 2,
	CG_STAT_LOST = 3,       /* ring buffer full: decision taken, record dropped */
	CG_STAT_MAX = 4,
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct cg_key4);
	__type(value, struct cg_entry);
} cg_deny4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct cg_key6);
	__type(value, struct cg_entry);
} cg_deny6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} cg_decisions SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CG_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} cg_stats SEC(".maps");

#endif /* HARRIER_CGROUP_NET_MAPS_H */
